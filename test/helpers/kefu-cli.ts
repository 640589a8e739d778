import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/kefu.js', import.meta.url));

/**
 * An empty working folder: `kefu` reads `.env` from where it runs, and a developer's .env (an OPENAI_API_KEY, a
 * DATABASE_URL) must not leak into tests. Pass absolute paths in arguments.
 */
let cleanCwd: string | undefined;
function emptyCwd(): string {
  cleanCwd ??= mkdtempSync(path.join(tmpdir(), 'kefu-cli-'));
  return cleanCwd;
}

export interface KefuRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (`node bin/kefu.js …`) as a child process. Asynchronous on purpose: fakes served by the test
 * process must keep answering while the child runs. The child gets the test's environment without LLM settings,
 * plus `env` (a value of undefined removes a variable).
 */
export function runKefu(args: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string } = {}): Promise<KefuRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(OPENAI_|LLM_)/.test(k)) env[k] = v;
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return runProcess(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? emptyCwd(), env, stdin: opts.stdin });
}

/** Runs a child process to its end and collects what it printed (stdin gets `stdin`, or is closed at once). */
export function runProcess(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<KefuRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
