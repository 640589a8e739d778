/**
 * Runs `kefu ingest | ask | reindex` as a real child process, the way bin/kefu.js runs the CLI, with the knowledge
 * commands registered even before cli/main.ts lists them:
 *
 *   runKnowledgeCli(['ingest', dir], { KEFU_DATA_DIR: tmp })
 *
 * Executed directly (by the child), it builds the program and parses argv with cli/main.ts's error handling.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runKnowledgeCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const childEnv: Record<string, string> = {};
  // No model settings from the developer's environment: tests choose them.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(OPENAI_|LLM_|EMBEDDINGS_|DATABASE_)/.test(k)) childEnv[k] = v;
  Object.assign(childEnv, { LOG_LEVEL: 'warn', ...env });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx/esm', SELF, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function runAsChild(): Promise<void> {
  const { CommanderError } = await import('commander');
  const { buildProgram } = await import('../../cli/main.js');
  const { register } = await import('../../cli/commands/ingest.js');
  const { ConfigError } = await import('../../core/config.js');
  const { UsageError } = await import('../../cli/errors.js');
  const wired = buildProgram().commands.some((c) => c.name() === 'ingest');
  const program = buildProgram(wired ? [] : [register]).exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    process.stderr.write(`kefu: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError || err instanceof UsageError ? 2 : 1);
  }
}

if (process.argv[1] === SELF) await runAsChild();
