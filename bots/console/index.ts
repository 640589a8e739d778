import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';
import { createAccess, type Access } from './access.js';
import { registerConsoleApi } from './api.js';
import { createConsoleAuth } from './auth.js';
import { registerConsoleStatic } from './static.js';
import { developmentAdmin, parseConsoleUsers, type ConsoleUser } from './users.js';

export type ConsoleConfig = Pick<
  Config,
  'NODE_ENV' | 'KEFU_DATA_DIR' | 'PUBLIC_URL' | 'CONSOLE_USERS' | 'CONSOLE_SESSION_TTL' | 'HANDOFF_ESCALATE_AFTER' | 'TEMPORAL_NAMESPACE' | 'INBOX_TOKEN'
>;

export interface ConsoleDeps {
  config: ConsoleConfig;
  store: Store;
  /** From createConsoleAccess: the same sessions and permissions the inbox, QA and risk routes check. */
  access: Access;
  /** The Temporal Web UI (TEMPORAL_UI_URL or the embedded dev server's), for links to workflows. */
  temporalUiUrl?: string;
  closeConversation?: (key: string, reason: string) => Promise<boolean>;
}

/**
 * Who may sign in: CONSOLE_USERS; in development without it, one `admin` with a generated password kept in the data
 * folder and printed at start (never in production or tests, where an unconfigured console refuses every sign-in).
 */
function consoleUsers(config: ConsoleConfig, logger: Logger): ConsoleUser[] {
  const users = parseConsoleUsers(config.CONSOLE_USERS);
  if (users.length > 0 || config.NODE_ENV !== 'development') {
    if (users.length === 0) logger.warn('CONSOLE_USERS is not set: nobody can sign in to the console');
    return users;
  }
  const admin = developmentAdmin(config.KEFU_DATA_DIR);
  if (!admin) return [];
  // Deliberately not a log line: logs are shipped and kept, this password is for the person at the terminal.
  process.stderr.write(
    `\nconsole: CONSOLE_USERS is not set; for development, sign in at /console/ as "admin" with password ${admin.password}\n` +
      `         (kept in ${admin.file}; set CONSOLE_USERS to replace it)\n\n`,
  );
  return [admin];
}

/**
 * Sign-in, sessions and the permissions check every people-facing route uses (the console's own, the inbox's, QA's and
 * risk's); built once per gateway and handed to each of them.
 */
export function createConsoleAccess(deps: { config: ConsoleConfig; store: Store; logger: Logger }): Access {
  const auth = createConsoleAuth({
    store: deps.store,
    users: consoleUsers(deps.config, deps.logger),
    ttlMs: deps.config.CONSOLE_SESSION_TTL,
    publicUrl: deps.config.PUBLIC_URL,
  });
  return createAccess({ auth, serviceToken: deps.config.INBOX_TOKEN });
}

/** The ops console (pages, JSON API behind sign-in), the chat widget script and its demo page, on the gateway. */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  registerConsoleApi(app, {
    store: deps.store,
    access: deps.access,
    slaMs: deps.config.HANDOFF_ESCALATE_AFTER,
    temporal: { uiUrl: deps.temporalUiUrl, namespace: deps.config.TEMPORAL_NAMESPACE },
    closeConversation: deps.closeConversation,
  });
  registerConsoleStatic(app);
}
