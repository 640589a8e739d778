import { registry } from './metrics.js';
import { temporalMetricsUrl } from './temporal/runtime.js';

export const METRICS_CONTENT_TYPE = registry.contentType;

/**
 * The text a Prometheus scrape of this process gets: the platform's own series, followed by the Temporal SDK's
 * (read from its exporter on this host). Both live in one answer so one scrape target covers a process; a failing SDK
 * exporter costs its part only, and says so in a comment.
 */
export async function renderMetrics(opts: { timeoutMs?: number } = {}): Promise<string> {
  const own = await registry.metrics();
  const url = temporalMetricsUrl();
  if (!url) return own;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 2000) });
    if (!res.ok) throw new Error(`status ${res.status}`);
    return `${own}\n# Temporal SDK metrics of this process\n${await res.text()}`;
  } catch (err) {
    return `${own}\n# Temporal SDK metrics unavailable: ${(err as Error).message.replace(/\s+/g, ' ')}\n`;
  }
}
