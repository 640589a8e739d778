/**
 * Load and fault harness: N simulated customers on the REST and Teams channels of a platform running as separate
 * worker and gateway processes (offline answer path: demo knowledge base, no LLM), optionally killing and restarting
 * the worker, the gateway and PostgreSQL during the run. Every message must get exactly one reply.
 *
 *   npm run bench:load -- --conversations 500 --json
 *   npm run bench:load -- --conversations 500 --chaos --json
 *
 * Prints a table (or, with --json, the JSON) and writes bench/results/load.json (load-chaos.json with --chaos).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLoadArgs } from './load/options.js';
import { runLoad, type LoadReport } from './load/run.js';

function table(r: LoadReport): string {
  const rows: [string, string | number | null][] = [
    ['conversations', `${r.conversations} (${r.details.channels.web} REST, ${r.details.channels.teams} Teams)`],
    ['messages accepted', r.messages],
    ['replies received', r.replies],
    ['lost', r.lost],
    ['duplicated', r.duplicated],
    ['reply latency end to end p50 / p95 / p99', `${r.p50_ms} / ${r.p95_ms} / ${r.p99_ms} ms`],
    ['reply latency stored→sent p50 / p95 / p99', `${r.details.server.p50_ms} / ${r.details.server.p95_ms} / ${r.details.server.p99_ms} ms`],
    ['throughput', `${r.throughput_msgs_per_s} messages/s over ${r.details.durationS} s`],
    ['send retries', r.details.sendRetries],
    ['CPU ms per message', Object.entries(r.details.cpuMsPerMessage).map(([k, v]) => `${k} ${v ?? '?'}`).join(', ')],
    ['load average (start → end)', `${r.details.loadAverage.start} → ${r.details.loadAverage.end}`],
    ['crashes', r.details.crashes.map((c) => c.part).join(', ') || 'none'],
    ['faults', r.details.chaos.map((c) => `${c.fault} (back in ${(c.recoveredAfterMs / 1000).toFixed(1)} s)`).join(', ') || 'none'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseLoadArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const report = await runLoad(options, (line) => process.stderr.write(`${line}\n`));
  const dir = fileURLToPath(new URL('./results', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${options.chaos.length ? 'load-chaos' : 'load'}.json`, `${JSON.stringify(report, null, 2)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${table(report)}\n`);
  process.exitCode = report.lost === 0 && report.duplicated === 0 && report.details.crashes.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:load failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
