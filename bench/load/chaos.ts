import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Cluster } from './cluster.js';

const run = promisify(execFile);

export type Fault = 'worker' | 'gateway' | 'postgres';
export const FAULTS: readonly Fault[] = ['worker', 'gateway', 'postgres'];

export interface FaultEvent {
  fault: Fault;
  /** Milliseconds after the run started. */
  at: number;
  /** Until the part answered again. */
  recoveredAfterMs: number;
  afterMessages: number;
}

/**
 * Injects the faults one after the other, spread over the run by progress (the k-th of n faults fires once
 * k/(n+1) of the messages have been accepted): kill -9 and restart the worker, then the gateway, then restart
 * PostgreSQL. Only one fault is in progress at a time.
 */
export function createChaos(opts: { faults: Fault[]; totalMessages: number; cluster: () => Cluster; pgCluster: string; startedAt: number; log: (line: string) => void }) {
  const plan = opts.faults.map((fault, k) => ({ fault, threshold: Math.ceil(((k + 1) / (opts.faults.length + 1)) * opts.totalMessages) }));
  const events: FaultEvent[] = [];
  let sent = 0;
  let busy: Promise<void> | undefined;

  async function inject(fault: Fault): Promise<void> {
    const t0 = Date.now();
    const afterMessages = sent;
    const cluster = opts.cluster();
    opts.log(`chaos: ${fault} down after ${sent} messages`);
    if (fault === 'postgres') {
      const [version, name] = opts.pgCluster.split('/') as [string, string];
      await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'restart'], { timeout: 120_000 });
    } else {
      const part = fault === 'worker' ? cluster.worker : cluster.gateway;
      await part.kill9();
      await part.start();
    }
    events.push({ fault, at: t0 - opts.startedAt, recoveredAfterMs: Date.now() - t0, afterMessages });
    opts.log(`chaos: ${fault} back after ${Date.now() - t0} ms`);
  }

  return {
    events,
    /** Called for every accepted customer message. */
    onSent() {
      sent += 1;
      if (busy) return;
      const next = plan[0];
      if (next && sent >= next.threshold) {
        plan.shift();
        busy = inject(next.fault)
          .catch((err: unknown) => opts.log(`chaos: ${next.fault} failed: ${(err as Error).message}`))
          .finally(() => {
            busy = undefined;
          });
      }
    },
    /** Waits for a fault in progress, and fires any the run did not reach (a short run still gets every fault). */
    async settle(): Promise<void> {
      await busy;
      while (plan.length) await inject(plan.shift()!.fault).catch((err: unknown) => opts.log(`chaos: failed: ${(err as Error).message}`));
    },
  };
}
