import type { Command } from 'commander';
import { Option } from 'commander';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
// The platform (Temporal, channels, LangChain…) loads only when `start` runs, so the other commands start fast.
import type { Part } from '../runtime/platform.js';
import { UsageError } from '../errors.js';

export function register(program: Command): void {
  program
    .command('start')
    .description('start the platform: database, Temporal (embedded dev server unless TEMPORAL_ADDRESS), worker and gateway')
    .addOption(new Option('--only <part>', 'run one part, to scale parts separately').choices(['worker', 'gateway']))
    .action(async (opts: { only?: Part }) => {
      const config = loadConfig();
      const { checkPlatformOptions, startPlatform } = await import('../runtime/platform.js');
      const problems = checkPlatformOptions(config, opts.only);
      if (problems.length) throw new UsageError(problems.join('\n'));
      const logger = createLogger(config);
      const platform = await startPlatform(config, logger, { only: opts.only });
      const summary = [
        'kefu is running',
        platform.gatewayUrl ? `  gateway      ${platform.gatewayUrl}  (POST /v1/conversations/{id}/messages, GET /healthz)` : undefined,
        platform.gatewayUrl ? `  agent desk   ${platform.agentDesk.kind === 'inbox' ? `${platform.gatewayUrl}/inbox` : platform.agentDesk.describe()}` : undefined,
        platform.worker ? `  worker       task queue "${config.TEMPORAL_TASK_QUEUE}"` : undefined,
        `  temporal     ${platform.temporal.address}${platform.temporal.uiUrl ? `  (Web UI ${platform.temporal.uiUrl})` : ''}`,
        `  database     ${platform.store.db.kind === 'pglite' ? `PGlite in ${config.KEFU_DATA_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
        'Press Ctrl+C to stop.',
      ].filter(Boolean);
      process.stderr.write(`${summary.join('\n')}\n`);
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        platform.stop().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
