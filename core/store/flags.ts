import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

/** A flag on a customer with the facts that raised it; active until `expiresAt`. */
export interface CustomerFlag {
  customerId: string;
  flag: string;
  reason: string;
  evidence: unknown;
  raisedAt: string;
  evaluatedAt: string;
  expiresAt: string;
}

interface FlagRow {
  customer_id: string;
  flag: string;
  reason: string;
  evidence: unknown;
  raised_at: Date | string;
  evaluated_at: Date | string;
  expires_at: Date | string;
}

const toFlag = (r: FlagRow): CustomerFlag => ({
  customerId: r.customer_id,
  flag: r.flag,
  reason: r.reason,
  evidence: r.evidence,
  raisedAt: iso(r.raised_at) as string,
  evaluatedAt: iso(r.evaluated_at) as string,
  expiresAt: iso(r.expires_at) as string,
});

/**
 * Raises a flag or, when it is still active, refreshes its evidence and pushes out its expiry. An expired flag that
 * fires again is raised anew (its `raised_at` restarts).
 */
export async function raiseFlag(
  q: Queryable,
  f: { customerId: string; flag: string; reason: string; evidence: unknown; expiresAt: string; now?: string },
): Promise<void> {
  await q.query(
    `INSERT INTO customer_flags (customer_id, flag, reason, evidence, raised_at, evaluated_at, expires_at)
     VALUES ($1, $2, $3, $4, COALESCE($6::timestamptz, now()), COALESCE($6::timestamptz, now()), $5)
     ON CONFLICT (customer_id, flag) DO UPDATE SET reason = EXCLUDED.reason, evidence = EXCLUDED.evidence,
       raised_at = CASE WHEN customer_flags.expires_at <= EXCLUDED.evaluated_at THEN EXCLUDED.raised_at ELSE customer_flags.raised_at END,
       evaluated_at = EXCLUDED.evaluated_at, expires_at = GREATEST(customer_flags.expires_at, EXCLUDED.expires_at)`,
    [f.customerId, f.flag, f.reason, JSON.stringify(f.evidence), f.expiresAt, f.now ?? null],
  );
}

export async function listActiveFlags(q: Queryable, customerId: string, now: Date = new Date()): Promise<CustomerFlag[]> {
  const r = await q.query<FlagRow>('SELECT * FROM customer_flags WHERE customer_id = $1 AND expires_at > $2 ORDER BY flag', [customerId, now.toISOString()]);
  return r.rows.map(toFlag);
}

/** Every flag of the customer, expired ones included (for `kefu customers show`). */
export async function listAllFlags(q: Queryable, customerId: string): Promise<CustomerFlag[]> {
  const r = await q.query<FlagRow>('SELECT * FROM customer_flags WHERE customer_id = $1 ORDER BY flag', [customerId]);
  return r.rows.map(toFlag);
}
