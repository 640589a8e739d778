import type { IngestEvent, IngestSummary } from './pipeline.js';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * Ingestion progress on stderr: a redrawn bar with counts and ETA at a terminal, one plain line per document
 * otherwise (CI logs, pipes). Warnings and failures always get a line of their own.
 */
export function createProgressReporter(out: ProgressOutput, now: () => number = Date.now): (event: IngestEvent) => void {
  const tty = out.isTTY === true;
  let started = now();
  let counts = { ingested: 0, skipped: 0, failed: 0 };
  let barShown = false;
  const clearBar = () => {
    if (barShown) out.write('\r\x1b[2K');
    barShown = false;
  };
  const line = (text: string) => {
    clearBar();
    out.write(`${text}\n`);
  };
  const bar = (done: number, total: number, current: string) => {
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const elapsed = (now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ` +
      `ingested ${counts.ingested} skipped ${counts.skipped} failed ${counts.failed} ETA ${clock(eta)} ${current}`;
    out.write(`\r\x1b[2K${text.slice(0, Math.max(20, (out.columns ?? 100) - 1))}`);
    barShown = true;
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        started = now();
        counts = { ingested: 0, skipped: 0, failed: 0 };
        if (!tty) out.write(`ingesting ${event.total} source(s)\n`);
        break;
      case 'document':
        counts[event.status] += 1;
        if (event.status === 'failed') line(`failed   ${event.source}: ${event.reason ?? 'unknown error'}`);
        else if (!tty) out.write(`${event.status.padEnd(8)} ${event.source}${event.chunks !== undefined ? ` (${event.chunks} chunks)` : ''} [${event.done}/${event.total}]\n`);
        if (tty) {
          if (event.done < event.total) bar(event.done, event.total, event.source);
          else clearBar();
        }
        break;
      case 'warning':
        line(`warning  ${event.source}: ${event.message}`);
        break;
      case 'pruned':
        line(`pruned   ${event.source}`);
        break;
      default: {
        const unknown: never = event;
        throw new Error(`unknown ingest event ${JSON.stringify(unknown)}`);
      }
    }
  };
}

export function formatSummary(summary: IngestSummary): string {
  const chunks = summary.ingested.reduce((n, d) => n + d.chunks, 0);
  const lines = [
    `ingested ${summary.ingested.length} document(s) (${chunks} chunks), skipped ${summary.skipped.length} unchanged, ` +
      `failed ${summary.failed.length}${summary.pruned.length > 0 ? `, pruned ${summary.pruned.length}` : ''}`,
  ];
  for (const f of summary.failed) lines.push(`  failed: ${f.source}: ${f.reason}`);
  return lines.join('\n');
}
