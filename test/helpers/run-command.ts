/**
 * Runs one `kefu` command group without the rest of the CLI, as a real process:
 *
 *   npx tsx test/helpers/run-command.ts <name> [args…]     e.g.  qa score transcript.json
 *
 * builds a fresh commander program, registers cli/commands/<name>.ts and parses the arguments (the group name
 * included, as `kefu <name> …` would). Errors are reported like cli/main.ts does: one line on stderr, exit 1
 * (2 for usage and configuration errors), no stack trace. No .env file is read: tests pass the environment.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../core/config.js';
import { UsageError } from '../../cli/errors.js';

type Registrar = (program: Command) => void;

function fail(message: string, code: number): never {
  process.stderr.write(`kefu: ${message}\n`);
  process.exit(code);
}

async function loadRegistrar(name: string): Promise<Registrar> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) fail(`run-command: "${name}" is not a command module name`, 2);
  const file = fileURLToPath(new URL(`../../cli/commands/${name}.ts`, import.meta.url));
  if (!existsSync(file)) fail(`run-command: no command module ${file}`, 2);
  const mod: unknown = await import(pathToFileURL(file).href);
  const register = typeof mod === 'object' && mod !== null && 'register' in mod ? mod.register : undefined;
  if (typeof register !== 'function') fail(`run-command: ${file} does not export register(program)`, 2);
  return register as Registrar;
}

const name = process.argv[2];
if (!name) fail('usage: run-command.ts <command-module> [args…]', 2);

const program = new Command('kefu').exitOverride();
(await loadRegistrar(name))(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  fail(message, err instanceof UsageError || err instanceof ConfigError ? 2 : 1);
}
