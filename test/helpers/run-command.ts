/**
 * Kept for tests not yet moved to `runKefu` (test/helpers/kefu-cli.ts), which spawns the real `node bin/kefu.js`:
 *
 *   npx tsx test/helpers/run-command.ts <group> [args…]     e.g.  risk feedback --since 30d
 *
 * runs `kefu <group> [args…]` through cli/main.ts, so the commands, the exit codes and the error reporting are the
 * CLI's own (nothing is duplicated here).
 */
import { main } from '../../cli/main.js';

await main(process.argv);
