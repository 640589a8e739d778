import { randomUUID } from 'node:crypto';
import type { Channel, Language } from '../domain.js';
import type { Db, Queryable } from '../db/types.js';
import { setConsent, type ConsentPurpose } from './consents.js';
import { mergeCustomersIn } from './customer-merge.js';
import { canonicalCustomerId } from './profiles.js';

/** One validated CRM customer, contact data already reduced to hashes. */
export interface CrmRecord {
  crmId: string;
  displayName?: string;
  language?: Language;
  timezone?: string;
  tier?: string;
  tags: string[];
  productsOfInterest: string[];
  phoneHash?: string;
  emailHash?: string;
  identities: { channel: Channel; externalId: string }[];
  consents: { channel: string; purpose: ConsentPurpose; status: 'granted' | 'denied' }[];
  attributes: Record<string, unknown>;
}

export interface CrmUpsertResult {
  outcome: 'created' | 'updated' | 'unchanged';
  customerId: string;
  /** Customers folded into this one because they shared an identity, phone or e-mail. */
  merged: string[];
  identitiesLinked: number;
}

/** A row that cannot be applied without guessing (an identity already owned by another CRM customer). */
export class CrmConflictError extends Error {
  override readonly name = 'CrmConflictError';
}

/**
 * Applies one CRM record, keyed by CRM id, in one transaction. Customers that first wrote on a channel are adopted
 * (the oldest) or merged into the CRM customer when they share a listed identity or a phone/e-mail hash. `contentHash`
 * of an unchanged record short-cuts the whole thing, which makes re-importing the same export a no-op.
 */
export function upsertCrmCustomer(db: Db, record: CrmRecord, contentHash: string): Promise<CrmUpsertResult> {
  return db.transaction(async (tx) => {
    // Serialises imports of the same CRM id (two importers, or a row repeated across files).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`crm:${record.crmId}`]);
    const byCrm = await tx.query<{ id: string; crm_hash: string | null }>('SELECT id, crm_hash FROM customers WHERE crm_id = $1', [record.crmId]);
    const known = byCrm.rows[0];
    const existing = known ? await canonicalCustomerId(tx, known.id) : null;
    if (existing && known?.crm_hash === contentHash && existing === known.id) {
      return { outcome: 'unchanged', customerId: existing, merged: [], identitiesLinked: 0 };
    }

    const candidates = await linkCandidates(tx, record, existing);
    const target = existing ?? candidates[0]?.id ?? null;
    const customerId = target ?? randomUUID();
    if (!target) await tx.query('INSERT INTO customers (id) VALUES ($1)', [customerId]);
    const merged: string[] = [];
    for (const c of candidates) {
      if (c.id === customerId) continue;
      await mergeCustomersIn(tx, c.id, customerId, { actor: 'crm-import', reason: `CRM ${record.crmId}: ${c.why}` });
      merged.push(c.id);
    }
    let identitiesLinked = 0;
    for (const idn of record.identities) {
      const r = await tx.query(
        `INSERT INTO channel_identities (channel, external_id, customer_id) VALUES ($1, $2, $3) ON CONFLICT (channel, external_id) DO NOTHING RETURNING 1`,
        [idn.channel, idn.externalId, customerId],
      );
      identitiesLinked += r.rows.length;
    }
    await applyFields(tx, customerId, record, contentHash);
    for (const c of record.consents) {
      await setConsent(tx, customerId, { ...c, source: 'crm', evidence: `CRM import ${record.crmId}` }, { keepOptOut: true });
    }
    return { outcome: target ? 'updated' : 'created', customerId, merged, identitiesLinked };
  });
}

interface Candidate {
  id: string;
  createdAt: number;
  why: string;
}

/** Customers that are this CRM customer under another name, oldest first. */
async function linkCandidates(tx: Queryable, record: CrmRecord, existing: string | null): Promise<Candidate[]> {
  const found = new Map<string, Candidate>();
  const consider = async (rawId: string, why: string, strict: boolean) => {
    const id = await canonicalCustomerId(tx, rawId);
    if (!id || id === existing || found.has(id)) return;
    const r = await tx.query<{ crm_id: string | null; created_at: Date | string }>('SELECT crm_id, created_at FROM customers WHERE id = $1', [id]);
    const row = r.rows[0];
    if (!row) return;
    if (row.crm_id !== null && row.crm_id !== record.crmId) {
      // A listed identity owned by another CRM customer is a data error; a shared phone (family plan) is not.
      if (strict) throw new CrmConflictError(`${why} belongs to CRM customer ${row.crm_id}`);
      return;
    }
    found.set(id, { id, createdAt: new Date(row.created_at).getTime(), why });
  };
  for (const idn of record.identities) {
    const r = await tx.query<{ customer_id: string }>('SELECT customer_id FROM channel_identities WHERE channel = $1 AND external_id = $2', [idn.channel, idn.externalId]);
    if (r.rows[0]) await consider(r.rows[0].customer_id, `identity ${idn.channel}:${idn.externalId}`, true);
  }
  for (const [column, hash] of [['phone_hash', record.phoneHash], ['email_hash', record.emailHash]] as const) {
    if (!hash) continue;
    const r = await tx.query<{ id: string }>(`SELECT id FROM customers WHERE ${column} = $1 AND merged_into IS NULL ORDER BY created_at`, [hash]);
    for (const row of r.rows) await consider(row.id, column === 'phone_hash' ? 'same phone' : 'same e-mail', false);
  }
  return [...found.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

async function applyFields(tx: Queryable, customerId: string, r: CrmRecord, contentHash: string): Promise<void> {
  await tx.query(
    `UPDATE customers SET
       -- A target that carries another CRM id (two CRM customers merged by hand) keeps it.
       crm_hash = CASE WHEN crm_id IS NULL OR crm_id = $2 THEN $3 ELSE crm_hash END,
       crm_id = COALESCE(crm_id, $2), crm_imported_at = now(),
       display_name = COALESCE($4, display_name),
       language = COALESCE($5, language),
       timezone = COALESCE($6, timezone),
       tier = COALESCE($7, tier),
       tags = ARRAY(SELECT DISTINCT unnest(tags || $8::text[]) ORDER BY 1),
       products_of_interest = ARRAY(SELECT DISTINCT unnest(products_of_interest || $9::text[]) ORDER BY 1),
       phone_hash = COALESCE($10, phone_hash),
       email_hash = COALESCE($11, email_hash),
       attributes = attributes || $12::jsonb,
       updated_at = now()
     WHERE id = $1`,
    [customerId, r.crmId, contentHash, r.displayName ?? null, r.language ?? null, r.timezone ?? null, r.tier ?? null,
      r.tags, r.productsOfInterest, r.phoneHash ?? null, r.emailHash ?? null, JSON.stringify(r.attributes)],
  );
}

/** The live customer behind a CRM id (following merges), or null. */
export async function customerIdByCrmId(q: Queryable, crmId: string): Promise<string | null> {
  const r = await q.query<{ id: string }>('SELECT id FROM customers WHERE crm_id = $1', [crmId]);
  return r.rows[0] ? canonicalCustomerId(q, r.rows[0].id) : null;
}
