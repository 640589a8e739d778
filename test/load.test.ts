import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { parseLoadArgs } from '../bench/load/options.js';
import { runLoad } from '../bench/load/run.js';

// Worker and gateway run as separate processes, so they need a shared PostgreSQL (CI sets DATABASE_URL).
const databaseUrl = process.env.DATABASE_URL;

describe.skipIf(!databaseUrl)('load harness, CI size (worker and gateway as child processes)', () => {
  const options = (extra: string[]) => ({
    ...parseLoadArgs(['--conversations', '20', '--messages', '3', '--think-ms', '200', '--timeout-s', '400', ...extra], { DATABASE_URL: databaseUrl }),
    temporalAddress: inject('temporalAddress'),
  });

  it('when 20 customers talk over REST and Teams, then every message gets exactly one reply, in the database and at the peers', async () => {
    const report = await runLoad(options([]));
    expect(report, JSON.stringify(report.details)).toMatchObject({ conversations: 20, messages: 60, replies: 60, lost: 0, duplicated: 0 });
    expect(report.details.channels).toEqual({ web: 10, teams: 10 });
    expect(report.details.verification).toMatchObject({ stored: 60, repliedInDb: 60 });
    expect(report.details.crashes).toEqual([]);
    expect(report.p95_ms).toBeGreaterThan(0);
  }, 300_000);

  it('when the worker is killed with SIGKILL and restarted during the run, then nothing is lost or duplicated', async () => {
    const report = await runLoad(options(['--chaos', 'worker']));
    expect(report.details.chaos.map((c) => c.fault)).toEqual(['worker']);
    expect(report.details.crashes).toEqual([]);
    expect(report.details.restarts.worker).toBe(1);
    expect(report, JSON.stringify(report.details)).toMatchObject({ messages: 60, replies: 60, lost: 0 });
    const repeats = report.details.verification.duplicatedDetail;
    // Exactly once in the database, whatever happened.
    expect(repeats).toMatchObject({ customerRows: 0, botRows: 0 });
    // At the peers, the one repeat a SIGKILL can cause: a Teams send that succeeded just before the worker died,
    // before the delivery was recorded, is sent again by the retry. Anything else is a bug.
    expect(repeats.receivedTwice).toBe(repeats.crashWindow);
  }, 400_000);
});
