import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

export type ConsentPurpose = 'marketing' | 'service';
export type ConsentStatus = 'granted' | 'denied' | 'opted_out';

/** One consent decision; `channel` is a channel name or '*' for every channel. */
export interface Consent {
  channel: string;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  evidence: string | null;
  updatedAt: string;
}

interface ConsentRow {
  channel: string;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  evidence: string | null;
  updated_at: Date | string;
}

export async function listConsents(q: Queryable, customerId: string): Promise<Consent[]> {
  const r = await q.query<ConsentRow>('SELECT * FROM customer_consents WHERE customer_id = $1 ORDER BY purpose, channel', [customerId]);
  return r.rows.map((row) => ({ channel: row.channel, purpose: row.purpose, status: row.status, source: row.source, evidence: row.evidence, updatedAt: iso(row.updated_at) as string }));
}

/**
 * Records a consent decision. With `keepOptOut` (imports, bulk updates) a customer's own opt-out stays in force:
 * only the customer can take it back, never a CRM export that predates it.
 */
export async function setConsent(
  q: Queryable,
  customerId: string,
  c: { channel: string; purpose: ConsentPurpose; status: ConsentStatus; source: string; evidence?: string },
  opts: { keepOptOut?: boolean } = {},
): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO customer_consents (customer_id, channel, purpose, status, source, evidence) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source,
       evidence = EXCLUDED.evidence, updated_at = now()
     WHERE NOT ($7 AND customer_consents.status = 'opted_out')
       AND (customer_consents.status, customer_consents.source) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.source)
     RETURNING 1`,
    [customerId, c.channel, c.purpose, c.status, c.source, c.evidence ?? null, opts.keepOptOut ?? false],
  );
  return r.rows.length > 0;
}
