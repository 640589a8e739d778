import type { Command } from 'commander';
import { Option } from 'commander';
import { hashPassword } from '../../bots/console/password.js';
import { ROLES } from '../../bots/console/users.js';
import { UsageError } from '../errors.js';

/** Reads a password from a pipe (all of stdin, without the final newline), or from the terminal without echoing it. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          done();
          return reject(new UsageError('cancelled'));
        }
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}

/** `kefu console …`: helpers for the ops console. */
export function register(program: Command): void {
  const console = program.command('console').description('ops console helpers');
  console
    .command('hash-password')
    .description('hash a console password (from a pipe, or typed without echo) for CONSOLE_USERS')
    .option('--user <name>', 'print a whole CONSOLE_USERS entry for this user name')
    .addOption(new Option('--role <role>', 'role of that user').choices([...ROLES]).default('agent'))
    .action(async (opts: { user?: string; role: string }) => {
      if (opts.user !== undefined && !/^[\w.@-]+$/.test(opts.user)) throw new UsageError('--user may contain letters, digits and . _ @ - only');
      const password = await readPassword('Password: ');
      if (process.stdin.isTTY && (await readPassword('Again: ')) !== password) throw new UsageError('the passwords differ');
      if (password.length < 8) throw new UsageError('use a password of at least 8 characters');
      const hash = await hashPassword(password);
      process.stdout.write(`${opts.user ? `${opts.user}:${opts.role}:${hash}` : hash}\n`);
    });
}
