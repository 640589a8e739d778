import type { Db, Queryable } from '../db/types.js';

export interface MergeMeta {
  /** Who merged: `crm-import`, `cli:<user>`, an agent id. */
  actor: string;
  reason?: string;
}

export interface MergeResult {
  from: string;
  into: string;
  moved: Record<string, number>;
}

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/** Tables whose rows simply follow the customer (no per-customer uniqueness to reconcile). */
const FOLLOWING_TABLES = ['channel_identities', 'conversations', 'turn_outcomes', 'conversation_signals', 'outreach_sends', 'outreach_events', 'leads'] as const;

/**
 * Folds customer `fromId` into `intoId` inside the caller's transaction: identities, conversations and history move,
 * consents and flags are reconciled (an opt-out always survives), profile fields fill gaps in the target, and the
 * source row stays behind with `merged_into` set, next to an audit row saying who merged, why and what moved.
 */
export async function mergeCustomersIn(q: Queryable, fromId: string, intoId: string, meta: MergeMeta): Promise<MergeResult> {
  if (fromId === intoId) throw new MergeError(`cannot merge customer ${fromId} into itself`);
  // Row locks in id order so two merges touching the same customers cannot deadlock.
  const locked = await q.query<{ id: string; merged_into: string | null; crm_id: string | null }>(
    'SELECT id, merged_into, crm_id FROM customers WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [[fromId, intoId]],
  );
  const from = locked.rows.find((r) => r.id === fromId);
  const into = locked.rows.find((r) => r.id === intoId);
  if (!from) throw new MergeError(`unknown customer ${fromId}`);
  if (!into) throw new MergeError(`unknown customer ${intoId}`);
  if (from.merged_into) throw new MergeError(`customer ${fromId} was already merged into ${from.merged_into}`);
  if (into.merged_into) throw new MergeError(`customer ${intoId} was merged into ${into.merged_into}; merge into that one`);

  const moved: Record<string, number> = {};
  for (const table of FOLLOWING_TABLES) {
    const r = await q.query(`UPDATE ${table} SET customer_id = $2 WHERE customer_id = $1`, [fromId, intoId]);
    moved[table] = r.rowCount;
  }
  const consents = await q.query(
    `INSERT INTO customer_consents (customer_id, channel, purpose, status, source, evidence, updated_at)
     SELECT $2, channel, purpose, status, source, evidence, updated_at FROM customer_consents WHERE customer_id = $1
     ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source,
       evidence = EXCLUDED.evidence, updated_at = EXCLUDED.updated_at
     WHERE customer_consents.status <> 'opted_out'
       AND (EXCLUDED.status = 'opted_out' OR EXCLUDED.updated_at > customer_consents.updated_at)`,
    [fromId, intoId],
  );
  moved.customer_consents = consents.rowCount;
  await q.query('DELETE FROM customer_consents WHERE customer_id = $1', [fromId]);
  const flags = await q.query(
    `INSERT INTO customer_flags (customer_id, flag, reason, evidence, raised_at, evaluated_at, expires_at)
     SELECT $2, flag, reason, evidence, raised_at, evaluated_at, expires_at FROM customer_flags WHERE customer_id = $1
     ON CONFLICT (customer_id, flag) DO UPDATE SET reason = EXCLUDED.reason, evidence = EXCLUDED.evidence,
       evaluated_at = EXCLUDED.evaluated_at, expires_at = EXCLUDED.expires_at
     WHERE EXCLUDED.expires_at > customer_flags.expires_at`,
    [fromId, intoId],
  );
  moved.customer_flags = flags.rowCount;
  await q.query('DELETE FROM customer_flags WHERE customer_id = $1', [fromId]);

  // The CRM id moves with the person when the target has none (it is unique, so the source gives it up first).
  const crmMoves = from.crm_id !== null && into.crm_id === null;
  if (crmMoves) await q.query('UPDATE customers SET crm_id = NULL WHERE id = $1', [fromId]);
  await q.query(
    `UPDATE customers t SET
       display_name = COALESCE(t.display_name, f.display_name),
       language = COALESCE(t.language, f.language),
       timezone = COALESCE(t.timezone, f.timezone),
       tier = CASE WHEN t.tier = 'standard' THEN f.tier ELSE t.tier END,
       tags = ARRAY(SELECT DISTINCT unnest(t.tags || f.tags) ORDER BY 1),
       products_of_interest = ARRAY(SELECT DISTINCT unnest(t.products_of_interest || f.products_of_interest) ORDER BY 1),
       attributes = f.attributes || t.attributes,
       phone_hash = COALESCE(t.phone_hash, f.phone_hash),
       email_hash = COALESCE(t.email_hash, f.email_hash),
       crm_id = COALESCE(t.crm_id, $3),
       updated_at = now()
     FROM customers f WHERE t.id = $2 AND f.id = $1`,
    [fromId, intoId, crmMoves ? from.crm_id : null],
  );
  await q.query('UPDATE customers SET merged_into = $2, updated_at = now() WHERE id = $1', [fromId, intoId]);
  await q.query(
    'INSERT INTO customer_merges (from_customer, into_customer, actor, reason, moved) VALUES ($1, $2, $3, $4, $5)',
    [fromId, intoId, meta.actor, meta.reason ?? null, JSON.stringify(moved)],
  );
  return { from: fromId, into: intoId, moved };
}

/** `mergeCustomersIn` in a transaction of its own. */
export function mergeCustomers(db: Db, fromId: string, intoId: string, meta: MergeMeta): Promise<MergeResult> {
  return db.transaction((tx) => mergeCustomersIn(tx, fromId, intoId, meta));
}

export interface MergeAudit {
  from: string;
  into: string;
  actor: string;
  reason: string | null;
  moved: Record<string, number>;
  mergedAt: string;
}

export async function listMerges(q: Queryable, customerId: string): Promise<MergeAudit[]> {
  const r = await q.query<{ from_customer: string; into_customer: string; actor: string; reason: string | null; moved: Record<string, number>; merged_at: Date | string }>(
    'SELECT * FROM customer_merges WHERE from_customer = $1 OR into_customer = $1 ORDER BY id',
    [customerId],
  );
  return r.rows.map((row) => ({ from: row.from_customer, into: row.into_customer, actor: row.actor, reason: row.reason, moved: row.moved, mergedAt: new Date(row.merged_at).toISOString() }));
}
