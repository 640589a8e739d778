import { createAccess, type Access } from '../../bots/console/access.js';
import { createConsoleAuth } from '../../bots/console/auth.js';
import { parseConsoleUsers } from '../../bots/console/users.js';
import type { Store } from '../../core/store/index.js';

/** The gateway's sign-in and permissions check, for routes registered on their own Fastify app in a test. */
export function testAccess(store: Store, opts: { users?: string; serviceToken?: string; ttlMs?: number } = {}): Access {
  const auth = createConsoleAuth({ store, users: parseConsoleUsers(opts.users), ttlMs: opts.ttlMs ?? 3_600_000 });
  return createAccess({ auth, serviceToken: opts.serviceToken });
}
