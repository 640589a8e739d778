import type { Queryable } from '../db/types.js';

/**
 * The console's overview figures: one function per metric, each over a period. A metric whose tables a feature has
 * not created yet answers `{ available: false }` instead of failing, so the console shows "not available" for it and
 * everything else still works. To add a metric: write one function here, add it to `overview()` below.
 */

export interface Period {
  from: Date;
  to: Date;
  /** Width of one chart bucket. */
  bucketSeconds: number;
}

export type Metric<T> = { available: true; value: T } | { available: false; reason: string };

const ok = <T>(value: T): Metric<T> => ({ available: true, value });
const missing = (table: string): Metric<never> => ({ available: false, reason: `needs table ${table}, which this database does not have yet` });
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

// Tables appear (migrations) but never disappear, so a positive answer is cached per database handle.
const knownTables = new WeakMap<Queryable, Set<string>>();

export async function tableExists(q: Queryable, table: string): Promise<boolean> {
  const known = knownTables.get(q) ?? new Set<string>();
  if (known.has(table)) return true;
  const r = await q.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
  if (!r.rows[0]?.found) return false;
  known.add(table);
  knownTables.set(q, known);
  return true;
}

async function needs(q: Queryable, tables: string[]): Promise<string | undefined> {
  for (const t of tables) if (!(await tableExists(q, t))) return t;
  return undefined;
}

/** Conversations not closed, by status: bot, waiting_agent, with_agent. */
export async function openConversations(q: Queryable): Promise<Metric<{ total: number; byStatus: Record<string, number> }>> {
  const r = await q.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM conversations WHERE status <> 'closed' GROUP BY status`);
  const byStatus = Object.fromEntries(r.rows.map((row) => [row.status, num(row.n)]));
  return ok({ total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus });
}

/** Conversations started and closed per bucket, for the volume chart. */
export async function conversationVolume(q: Queryable, p: Period): Promise<Metric<{ at: string; started: number; closed: number }[]>> {
  const r = await q.query<{ at: Date | string; started: string; closed: string }>(
    `WITH buckets AS (
       SELECT generate_series(0, GREATEST(0, ceil(extract(epoch FROM ($2::timestamptz - $1::timestamptz)) / $3)::int - 1)) AS i
     ), started AS (
       SELECT floor(extract(epoch FROM (started_at - $1::timestamptz)) / $3)::int AS i, count(*) AS n
       FROM conversations WHERE started_at >= $1 AND started_at < $2 GROUP BY 1
     ), closed AS (
       SELECT floor(extract(epoch FROM (closed_at - $1::timestamptz)) / $3)::int AS i, count(*) AS n
       FROM conversations WHERE closed_at >= $1 AND closed_at < $2 GROUP BY 1
     )
     SELECT $1::timestamptz + make_interval(secs => b.i * $3) AS at, COALESCE(s.n, 0) AS started, COALESCE(c.n, 0) AS closed
     FROM buckets b LEFT JOIN started s ON s.i = b.i LEFT JOIN closed c ON c.i = b.i ORDER BY b.i`,
    [p.from.toISOString(), p.to.toISOString(), p.bucketSeconds],
  );
  return ok(r.rows.map((row) => ({ at: new Date(row.at).toISOString(), started: num(row.started), closed: num(row.closed) })));
}

/** Share of conversations closed in the period that no person touched (no handoff, no agent message). */
export async function containment(q: Queryable, p: Period): Promise<Metric<{ closed: number; contained: number; rate: number | null }>> {
  const handoffs = await tableExists(q, 'handoffs');
  const r = await q.query<{ closed: string; contained: string }>(
    `SELECT count(*) AS closed,
            count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_key = c.key AND m.role = 'agent')
              ${handoffs ? 'AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h.conversation_key = c.key)' : ''}) AS contained
     FROM conversations c WHERE c.status = 'closed' AND c.closed_at >= $1 AND c.closed_at < $2`,
    [p.from.toISOString(), p.to.toISOString()],
  );
  const closed = num(r.rows[0]?.closed);
  const contained = num(r.rows[0]?.contained);
  return ok({ closed, contained, rate: ratio(contained, closed) });
}

export interface HandoffQueueFigures {
  waiting: number;
  oldestWaitSeconds: number | null;
  byQueue: { queue: string; waiting: number }[];
  /** Handoffs claimed in the period and how long their customers waited. */
  claimed: number;
  waitP50Seconds: number | null;
  waitP90Seconds: number | null;
}

/** The agent queue now, and the waits of handoffs claimed in the period. */
export async function handoffQueue(q: Queryable, p: Period): Promise<Metric<HandoffQueueFigures>> {
  const absent = await needs(q, ['handoffs']);
  if (absent) return missing(absent);
  const now = await q.query<{ queue: string; waiting: string; oldest: string | null }>(
    `SELECT queue, count(*) AS waiting, max(extract(epoch FROM (now() - COALESCE(queued_at, created_at)))) AS oldest
     FROM handoffs WHERE status = 'waiting' GROUP BY queue ORDER BY queue`,
  );
  const waits = await q.query<{ claimed: string; p50: string | null; p90: string | null }>(
    `SELECT count(*) AS claimed,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (claimed_at - COALESCE(queued_at, created_at)))) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM (claimed_at - COALESCE(queued_at, created_at)))) AS p90
     FROM handoffs WHERE claimed_at >= $1 AND claimed_at < $2`,
    [p.from.toISOString(), p.to.toISOString()],
  );
  const byQueue = now.rows.map((row) => ({ queue: row.queue, waiting: num(row.waiting) }));
  const oldest = now.rows.map((row) => numOrNull(row.oldest)).filter((v): v is number => v !== null);
  return ok({
    waiting: byQueue.reduce((a, b) => a + b.waiting, 0),
    oldestWaitSeconds: oldest.length ? Math.max(...oldest) : null,
    byQueue,
    claimed: num(waits.rows[0]?.claimed),
    waitP50Seconds: numOrNull(waits.rows[0]?.p50),
    waitP90Seconds: numOrNull(waits.rows[0]?.p90),
  });
}

/**
 * Handoffs whose customer waited longer than the service level for a person: claimed late in the period, or still
 * waiting past it now.
 */
export async function slaBreaches(q: Queryable, p: Period, slaSeconds: number): Promise<Metric<{ slaSeconds: number; claimedLate: number; waitingOverSla: number; total: number }>> {
  const absent = await needs(q, ['handoffs']);
  if (absent) return missing(absent);
  const r = await q.query<{ late: string; over: string }>(
    `SELECT
       count(*) FILTER (WHERE claimed_at >= $1 AND claimed_at < $2
                          AND claimed_at - COALESCE(queued_at, created_at) > make_interval(secs => $3)) AS late,
       count(*) FILTER (WHERE status = 'waiting' AND now() - COALESCE(queued_at, created_at) > make_interval(secs => $3)) AS over
     FROM handoffs WHERE (claimed_at >= $1 AND claimed_at < $2) OR status = 'waiting'`,
    [p.from.toISOString(), p.to.toISOString(), slaSeconds],
  );
  const claimedLate = num(r.rows[0]?.late);
  const waitingOverSla = num(r.rows[0]?.over);
  return ok({ slaSeconds, claimedLate, waitingOverSla, total: claimedLate + waitingOverSla });
}

/**
 * First-contact resolution: share of conversations closed in the period after which the customer did not come back
 * (no new conversation on any channel) within `windowDays`. Recent closes count as resolved until they are contradicted.
 */
export async function firstContactResolution(q: Queryable, p: Period, windowDays = 7): Promise<Metric<{ closed: number; resolved: number; rate: number | null; windowDays: number }>> {
  const r = await q.query<{ closed: string; resolved: string }>(
    `SELECT count(*) AS closed,
            count(*) FILTER (WHERE NOT EXISTS (
              SELECT 1 FROM conversations n
              WHERE n.customer_id = c.customer_id AND n.key <> c.key
                AND n.started_at > c.closed_at AND n.started_at <= c.closed_at + make_interval(days => $3))) AS resolved
     FROM conversations c WHERE c.status = 'closed' AND c.closed_at >= $1 AND c.closed_at < $2`,
    [p.from.toISOString(), p.to.toISOString(), windowDays],
  );
  const closed = num(r.rows[0]?.closed);
  const resolved = num(r.rows[0]?.resolved);
  return ok({ closed, resolved, rate: ratio(resolved, closed), windowDays });
}

/** Bot reply latency from the database: customer message stored → reply delivered, for replies sent in the period. */
export async function replyLatency(q: Queryable, p: Period): Promise<Metric<{ replies: number; p50Ms: number | null; p95Ms: number | null }>> {
  const r = await q.query<{ n: string; p50: string | null; p95: string | null }>(
    `SELECT count(*) AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (d.sent_at - m.created_at)) * 1000) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM (d.sent_at - m.created_at)) * 1000) AS p95
     FROM deliveries d JOIN messages m ON d.idempotency_key = 'reply:' || m.id
     WHERE d.status = 'sent' AND d.updated_at >= $1 AND d.updated_at < $2 AND d.sent_at IS NOT NULL`,
    [p.from.toISOString(), p.to.toISOString()],
  );
  return ok({ replies: num(r.rows[0]?.n), p50Ms: numOrNull(r.rows[0]?.p50), p95Ms: numOrNull(r.rows[0]?.p95) });
}

/** Deliveries that failed for good in the period, by channel. */
export async function deliveryFailures(q: Queryable, p: Period): Promise<Metric<{ total: number; byChannel: Record<string, number> }>> {
  const r = await q.query<{ channel: string; n: string }>(
    `SELECT channel, count(*) AS n FROM deliveries WHERE status = 'failed' AND updated_at >= $1 AND updated_at < $2 GROUP BY channel`,
    [p.from.toISOString(), p.to.toISOString()],
  );
  const byChannel = Object.fromEntries(r.rows.map((row) => [row.channel, num(row.n)]));
  return ok({ total: Object.values(byChannel).reduce((a, b) => a + b, 0), byChannel });
}

/** Risk escalations still open (open, acknowledged, taken over) by severity, and risky messages seen in the period. */
export async function openRiskEscalations(q: Queryable, p: Period): Promise<Metric<{ open: number; bySeverity: Record<string, number>; eventsInPeriod: number }>> {
  const absent = await needs(q, ['risk_escalations', 'risk_events']);
  if (absent) return missing(absent);
  const open = await q.query<{ severity: string; n: string }>(
    `SELECT severity, count(*) AS n FROM risk_escalations WHERE status IN ('open', 'acknowledged', 'taken_over') GROUP BY severity`,
  );
  const events = await q.query<{ n: string }>('SELECT count(*) AS n FROM risk_events WHERE created_at >= $1 AND created_at < $2', [p.from.toISOString(), p.to.toISOString()]);
  const bySeverity = Object.fromEntries(open.rows.map((row) => [row.severity, num(row.n)]));
  return ok({ open: Object.values(bySeverity).reduce((a, b) => a + b, 0), bySeverity, eventsInPeriod: num(events.rows[0]?.n) });
}

export interface QaFigures {
  scored: number;
  passed: number;
  average: number | null;
  /** Ten buckets of ten points: [0,10), [10,20) … [90,100]. */
  histogram: { from: number; to: number; count: number }[];
}

/** Distribution of current QA scores (0-100, after accepted disputes) of conversations closed in the period. */
export async function qaScores(q: Queryable, p: Period): Promise<Metric<QaFigures>> {
  const absent = await needs(q, ['qa_results']);
  if (absent) return missing(absent);
  const range = [p.from.toISOString(), p.to.toISOString()];
  const [buckets, totals] = await Promise.all([
    q.query<{ bucket: number; n: string }>(
      `SELECT LEAST(GREATEST(floor(score / 10), 0), 9)::int AS bucket, count(*) AS n
       FROM qa_results WHERE closed_at >= $1 AND closed_at < $2 GROUP BY 1`,
      range,
    ),
    q.query<{ n: string; passed: string; avg: string | null }>(
      'SELECT count(*) AS n, count(*) FILTER (WHERE passed) AS passed, avg(score) AS avg FROM qa_results WHERE closed_at >= $1 AND closed_at < $2',
      range,
    ),
  ]);
  const counts = new Map(buckets.rows.map((row) => [Number(row.bucket), num(row.n)]));
  return ok({
    scored: num(totals.rows[0]?.n),
    passed: num(totals.rows[0]?.passed),
    average: numOrNull(totals.rows[0]?.avg),
    histogram: Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, count: counts.get(i) ?? 0 })),
  });
}

export interface IntentTrend {
  intent: string;
  count: number;
  /** Count in the period of the same length just before. */
  previous: number;
}

/** The most frequent intents of customer turns in the period, with the previous period's count for comparison. */
export async function topIntents(q: Queryable, p: Period, limit = 8): Promise<Metric<IntentTrend[]>> {
  const absent = await needs(q, ['turn_outcomes']);
  if (absent) return missing(absent);
  const r = await q.query<{ intent: string; n: string; prev: string }>(
    `SELECT intent, count(*) FILTER (WHERE created_at >= $2) AS n, count(*) FILTER (WHERE created_at < $2) AS prev
     FROM turn_outcomes WHERE intent IS NOT NULL AND created_at >= $1 AND created_at < $3
     GROUP BY intent HAVING count(*) FILTER (WHERE created_at >= $2) > 0 ORDER BY 2 DESC, 1 LIMIT $4`,
    [new Date(2 * p.from.getTime() - p.to.getTime()).toISOString(), p.from.toISOString(), p.to.toISOString(), limit],
  );
  return ok(r.rows.map((row) => ({ intent: row.intent, count: num(row.n), previous: num(row.prev) })));
}

/**
 * Topics growing fastest against the previous period (at least `minCount` turns now; growth smoothed by +1 so a
 * topic appearing from nothing ranks by its size), and the newest weekly digest's summary when there is one.
 */
export async function risingTopics(q: Queryable, p: Period, opts: { limit?: number; minCount?: number } = {}): Promise<Metric<{ rising: (IntentTrend & { growth: number })[]; digest: string | null }>> {
  const absent = await needs(q, ['turn_outcomes']);
  if (absent) return missing(absent);
  const r = await q.query<{ intent: string; n: string; prev: string }>(
    `SELECT intent, count(*) FILTER (WHERE created_at >= $2) AS n, count(*) FILTER (WHERE created_at < $2) AS prev
     FROM turn_outcomes WHERE intent IS NOT NULL AND created_at >= $1 AND created_at < $3 GROUP BY intent`,
    [new Date(2 * p.from.getTime() - p.to.getTime()).toISOString(), p.from.toISOString(), p.to.toISOString()],
  );
  const rising = r.rows
    .map((row) => ({ intent: row.intent, count: num(row.n), previous: num(row.prev) }))
    .filter((t) => t.count >= (opts.minCount ?? 3) && t.count > t.previous)
    .map((t) => ({ ...t, growth: (t.count + 1) / (t.previous + 1) }))
    .sort((a, b) => b.growth - a.growth || b.count - a.count)
    .slice(0, opts.limit ?? 5);
  let digest: string | null = null;
  if (await tableExists(q, 'insight_digests')) {
    const d = await q.query<{ summary: string }>('SELECT summary FROM insight_digests ORDER BY period_end DESC, id DESC LIMIT 1');
    digest = d.rows[0]?.summary ?? null;
  }
  return ok({ rising, digest });
}

/** Everything the overview page shows, computed concurrently; each part fails or succeeds on its own. */
export async function overview(q: Queryable, p: Period, opts: { slaSeconds: number; fcrWindowDays?: number }) {
  const settle = async <T>(f: () => Promise<Metric<T>>): Promise<Metric<T>> => {
    try {
      return await f();
    } catch (err) {
      return { available: false, reason: `query failed: ${(err as Error).message}` };
    }
  };
  const [open, volume, contained, queue, sla, fcr, latency, failures, risk, qa, intents, rising] = await Promise.all([
    settle(() => openConversations(q)),
    settle(() => conversationVolume(q, p)),
    settle(() => containment(q, p)),
    settle(() => handoffQueue(q, p)),
    settle(() => slaBreaches(q, p, opts.slaSeconds)),
    settle(() => firstContactResolution(q, p, opts.fcrWindowDays)),
    settle(() => replyLatency(q, p)),
    settle(() => deliveryFailures(q, p)),
    settle(() => openRiskEscalations(q, p)),
    settle(() => qaScores(q, p)),
    settle(() => topIntents(q, p)),
    settle(() => risingTopics(q, p)),
  ]);
  return {
    period: { from: p.from.toISOString(), to: p.to.toISOString(), bucketSeconds: p.bucketSeconds },
    openConversations: open,
    volume,
    containment: contained,
    handoffQueue: queue,
    slaBreaches: sla,
    firstContactResolution: fcr,
    replyLatency: latency,
    deliveryFailures: failures,
    riskEscalations: risk,
    qaScores: qa,
    topIntents: intents,
    risingTopics: rising,
  };
}

export type Overview = Awaited<ReturnType<typeof overview>>;

/** Current state for the Prometheus gauges (read at scrape time): open conversations, agent queue, open escalations. */
export async function stateGauges(q: Queryable): Promise<{ conversations: Record<string, number>; handoffQueue: Record<string, number> | null; riskOpen: Record<string, number> | null }> {
  const conv = await q.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM conversations WHERE status <> 'closed' GROUP BY status`);
  const handoffs = (await tableExists(q, 'handoffs'))
    ? (await q.query<{ queue: string; n: string }>(`SELECT queue, count(*) AS n FROM handoffs WHERE status = 'waiting' GROUP BY queue`)).rows
    : null;
  const risk = (await tableExists(q, 'risk_escalations'))
    ? (await q.query<{ severity: string; n: string }>(
      `SELECT severity, count(*) AS n FROM risk_escalations WHERE status IN ('open', 'acknowledged', 'taken_over') GROUP BY severity`)).rows
    : null;
  return {
    conversations: Object.fromEntries(conv.rows.map((r) => [r.status, num(r.n)])),
    handoffQueue: handoffs && Object.fromEntries(handoffs.map((r) => [r.queue, num(r.n)])),
    riskOpen: risk && Object.fromEntries(risk.map((r) => [r.severity, num(r.n)])),
  };
}
