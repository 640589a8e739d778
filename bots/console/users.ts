import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConsoleRole } from '../../core/store/console.js';
import { hashPassword, isPasswordHash, verifyPassword } from './password.js';

export { ROLES } from './permissions.js';

export interface ConsoleUser {
  name: string;
  role: ConsoleRole;
  /** An scrypt hash from `kefu console hash-password`, or (development only) the password itself. */
  secret: string;
}

/** The grammar CONSOLE_USERS is validated with (core/config.ts uses the same pattern). */
export const CONSOLE_USERS_PATTERN = /^\s*[\w.@-]+:(agent|supervisor|admin):[^,\s]+(\s*,\s*[\w.@-]+:(agent|supervisor|admin):[^,\s]+)*\s*$/;

/** `name:role:secret,name:role:secret`; names are unique (the last entry of a repeated name wins nowhere: it is an error). */
export function parseConsoleUsers(spec: string | undefined): ConsoleUser[] {
  if (!spec?.trim()) return [];
  if (!CONSOLE_USERS_PATTERN.test(spec)) throw new Error('CONSOLE_USERS must look like name:role:secret[,name:role:secret…] with role agent, supervisor or admin');
  const users = spec.split(',').map((entry) => {
    const [name, role, ...rest] = entry.trim().split(':');
    return { name: name as string, role: role as ConsoleRole, secret: rest.join(':') };
  });
  const names = new Set<string>();
  for (const u of users) {
    if (names.has(u.name)) throw new Error(`CONSOLE_USERS names ${u.name} twice`);
    names.add(u.name);
  }
  return users;
}

export const hasPlainPasswords = (users: ConsoleUser[]) => users.some((u) => !isPasswordHash(u.secret));

/**
 * A development convenience: with no users configured, one `admin` whose random password is kept in the data
 * folder (so it survives restarts) and printed at start. Undefined when the folder is in memory.
 */
export function developmentAdmin(dataDir: string): ConsoleUser & { password: string; file: string } | undefined {
  if (dataDir === 'memory://') return undefined;
  const file = path.resolve(dataDir, 'console-admin-password');
  let password: string;
  try {
    password = readFileSync(file, 'utf8').trim();
  } catch {
    password = randomBytes(12).toString('base64url');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { name: 'admin', role: 'admin', secret: password, password, file };
}

// Checked when the name is unknown, so a wrong name costs as long as a wrong password (no user enumeration by timing).
let dummyHash: Promise<string> | undefined;

/** The user when name and password match; null otherwise, after the same amount of work. */
export async function authenticate(users: ConsoleUser[], name: string, password: string): Promise<ConsoleUser | null> {
  const user = users.find((u) => u.name === name);
  if (!user) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(password, await dummyHash);
    return null;
  }
  return (await verifyPassword(password, user.secret)) ? user : null;
}
