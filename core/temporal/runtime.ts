import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger.js';

let installed = false;
let metricsUrl: string | undefined;

export interface TemporalRuntimeOptions {
  /**
   * `host:port` where the SDK's own Prometheus exporter listens (worker task slots, poll latencies, sticky cache,
   * activity and workflow task latencies). Undefined: no exporter.
   */
  metricsBindAddress?: string;
}

/**
 * Installs the Temporal SDK runtime once per process (it is a process-wide singleton, and must be installed before the
 * first native connection): the SDK's logs go into pino at warn level and above, so a person sees one log stream, and
 * its metrics go to a Prometheus exporter that the gateway's `/metrics` merges in (see core/metrics-exposition.ts).
 */
export function installTemporalRuntime(logger: Logger, opts: TemporalRuntimeOptions = {}): void {
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
    ...(opts.metricsBindAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: opts.metricsBindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } }
      : {}),
  });
  if (opts.metricsBindAddress) {
    const [host, port] = splitHostPort(opts.metricsBindAddress);
    metricsUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}/metrics`;
  }
}

/** Where this process's Temporal SDK metrics can be read, when the exporter is on. */
export function temporalMetricsUrl(): string | undefined {
  return metricsUrl;
}

function splitHostPort(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), address.slice(i + 1)];
}
