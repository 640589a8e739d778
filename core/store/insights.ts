import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

export interface StoredDigest<T = unknown> {
  id: number;
  periodStart: string;
  periodEnd: string;
  digest: T;
  summary: string;
  createdAt: string;
  postedAt: string | null;
  postedTo: string | null;
}

interface DigestRow {
  id: string | number;
  period_start: Date | string;
  period_end: Date | string;
  digest: unknown;
  summary: string;
  created_at: Date | string;
  posted_at: Date | string | null;
  posted_to: string | null;
}

const toDigest = (r: DigestRow): StoredDigest => ({
  id: Number(r.id),
  periodStart: iso(r.period_start) as string,
  periodEnd: iso(r.period_end) as string,
  digest: r.digest,
  summary: r.summary,
  createdAt: iso(r.created_at) as string,
  postedAt: iso(r.posted_at),
  postedTo: r.posted_to,
});

/** One digest per period: recomputing a week (a retried activity, a manual re-run) replaces its content. */
export async function saveDigest(q: Queryable, d: { periodStart: string; periodEnd: string; digest: unknown; summary: string }): Promise<StoredDigest> {
  const r = await q.query<DigestRow>(
    `INSERT INTO insight_digests (period_start, period_end, digest, summary) VALUES ($1, $2, $3, $4)
     ON CONFLICT (period_start, period_end) DO UPDATE SET digest = EXCLUDED.digest, summary = EXCLUDED.summary, created_at = now()
     RETURNING *`,
    [d.periodStart, d.periodEnd, JSON.stringify(d.digest), d.summary],
  );
  return toDigest(r.rows[0] as DigestRow);
}

export async function getDigest(q: Queryable, id: number): Promise<StoredDigest | null> {
  const r = await q.query<DigestRow>('SELECT * FROM insight_digests WHERE id = $1', [id]);
  return r.rows[0] ? toDigest(r.rows[0]) : null;
}

/** Newest first. */
export async function listDigests(q: Queryable, limit = 20): Promise<StoredDigest[]> {
  const r = await q.query<DigestRow>('SELECT * FROM insight_digests ORDER BY period_end DESC, id DESC LIMIT $1', [limit]);
  return r.rows.map(toDigest);
}

export async function markDigestPosted(q: Queryable, id: number, postedTo: string): Promise<void> {
  await q.query('UPDATE insight_digests SET posted_at = now(), posted_to = $2 WHERE id = $1', [id, postedTo]);
}
