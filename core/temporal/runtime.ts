import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger.js';

let installed = false;

/**
 * Routes the Temporal SDK's own logs (worker state, bundling) into pino at warn level and above, so a person sees
 * one log stream; installed once per process because the SDK runtime is a process-wide singleton.
 */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
  };
  const child = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      child[levels[entry.level]]({ ...entry.meta }, entry.message);
    }),
  });
}
