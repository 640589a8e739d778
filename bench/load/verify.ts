import type pg from 'pg';
import type { CustomerRun } from './customers.js';

export interface Verification {
  /** Customer messages the gateway accepted (2xx). */
  accepted: number;
  /** Of those, stored in the database. */
  stored: number;
  /** Stored customer messages whose reply delivery is `sent` with the bot message in the transcript. */
  repliedInDb: number;
  /** Replies the customers received (event stream, fake connector), counted once each. */
  receivedByPeers: number;
  /** Accepted messages without a stored reply, or whose customer never received it. */
  lost: number;
  lostDetail: { notStored: number; noReplyInDb: number; notReceived: number };
  /** Replies stored or received more than once. */
  duplicated: number;
  /**
   * `crashWindow`: repeats whose first copy reached the peer before a worker was killed and the second after it came
   * back: the send had succeeded, the worker died before recording it, and the retry sent again. A push peer without
   * de-duplication (Teams) cannot be protected from this; see docs/ARCHITECTURE.md. Any other repeat is a bug.
   */
  duplicatedDetail: { customerRows: number; botRows: number; receivedTwice: number; crashWindow: number; keys: string[] };
  /** Server-side latency per reply: customer message stored → delivery marked sent. */
  serverLatenciesMs: number[];
  deliveryAttempts: { max: number; retried: number };
}

interface Row {
  conversation_key: string;
  channel_message_id: string;
  copies: string;
  bot_rows: string;
  delivery_status: string | null;
  latency_ms: string | null;
  attempts: number | null;
}

/**
 * Checks the run against the database (every accepted customer message stored once, with exactly one bot reply whose
 * delivery is marked sent) and against what the simulated peers received (each reply exactly once).
 */
export async function verify(db: pg.Pool, runs: CustomerRun[], workerKills: { from: number; to: number }[] = []): Promise<Verification> {
  const r = await db.query<Row>(
    `SELECT m.conversation_key, m.channel_message_id, count(*) OVER (PARTITION BY m.channel, m.channel_message_id) AS copies,
            (SELECT count(*) FROM messages b WHERE b.channel = m.channel AND b.channel_message_id = 'reply:' || m.id) AS bot_rows,
            d.status AS delivery_status, d.attempts,
            extract(epoch FROM (d.sent_at - m.created_at)) * 1000 AS latency_ms
     FROM messages m LEFT JOIN deliveries d ON d.idempotency_key = 'reply:' || m.id
     WHERE m.role = 'customer'`,
  );
  const byClientId = new Map(r.rows.map((row) => [row.channel_message_id, row]));
  const keyOf = (run: CustomerRun) => `conv:${run.channel}:${run.conversationId}`;

  let accepted = 0;
  let stored = 0;
  let repliedInDb = 0;
  let notStored = 0;
  let noReplyInDb = 0;
  let notReceived = 0;
  let receivedByPeers = 0;
  let receivedTwice = 0;
  for (const run of runs) {
    const acceptedHere = run.messages.filter((m) => m.accepted);
    accepted += acceptedHere.length;
    for (const m of acceptedHere) {
      const row = byClientId.get(`${run.conversationId}/${m.clientId}`);
      if (!row || row.conversation_key !== keyOf(run)) {
        notStored += 1;
        continue;
      }
      stored += 1;
      if (row.delivery_status === 'sent' && Number(row.bot_rows) === 1) repliedInDb += 1;
      else noReplyInDb += 1;
    }
    receivedByPeers += Math.min(run.inbox.count, acceptedHere.length);
    notReceived += Math.max(0, acceptedHere.length - run.inbox.count);
    receivedTwice += run.inbox.duplicates + Math.max(0, run.inbox.count - acceptedHere.length);
  }
  const repeats = runs.flatMap((run) => run.inbox.repeats);
  const customerRows = r.rows.filter((row) => Number(row.copies) > 1).length;
  const botRows = r.rows.filter((row) => Number(row.bot_rows) > 1).length;
  const attempts = r.rows.map((row) => row.attempts ?? 0);
  return {
    accepted,
    stored,
    repliedInDb,
    receivedByPeers,
    // A message counts as lost once, whichever check caught it.
    lost: notStored + noReplyInDb + Math.max(0, notReceived - notStored - noReplyInDb),
    lostDetail: { notStored, noReplyInDb, notReceived },
    duplicated: customerRows + botRows + receivedTwice,
    duplicatedDetail: {
      customerRows,
      botRows,
      receivedTwice,
      crashWindow: repeats.filter((x) => workerKills.some((k) => x.firstAt <= k.to && x.againAt >= k.from)).length,
      keys: repeats.map((x) => x.id).slice(0, 20),
    },
    serverLatenciesMs: r.rows.filter((row) => row.latency_ms !== null).map((row) => Number(row.latency_ms)),
    deliveryAttempts: { max: Math.max(0, ...attempts), retried: attempts.filter((a) => a > 1).length },
  };
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]! * 10) / 10;
}
