import type { Channel, Language } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

/** A customer as the profile features see it: identities across channels merged, facts kept up to date. */
export interface CustomerProfile {
  id: string;
  displayName: string | null;
  language: Language | null;
  tier: string;
  tags: string[];
  timezone: string | null;
  crmId: string | null;
  attributes: Record<string, unknown>;
  productsOfInterest: string[];
  sentimentLast: number | null;
  sentimentTrend: number | null;
  mergedInto: string | null;
  createdAt: string;
  profileUpdatedAt: string | null;
}

export interface CustomerRow {
  id: string;
  display_name: string | null;
  language: Language | null;
  tier: string;
  tags: string[];
  timezone: string | null;
  crm_id: string | null;
  crm_hash: string | null;
  phone_hash: string | null;
  email_hash: string | null;
  attributes: Record<string, unknown> | null;
  products_of_interest: string[];
  sentiment_last: number | null;
  sentiment_trend: number | null;
  merged_into: string | null;
  created_at: Date | string;
  profile_updated_at: Date | string | null;
}

export const toProfile = (r: CustomerRow): CustomerProfile => ({
  id: r.id,
  displayName: r.display_name,
  language: r.language,
  tier: r.tier,
  tags: r.tags ?? [],
  timezone: r.timezone,
  crmId: r.crm_id,
  attributes: r.attributes ?? {},
  productsOfInterest: r.products_of_interest ?? [],
  sentimentLast: r.sentiment_last === null ? null : Number(r.sentiment_last),
  sentimentTrend: r.sentiment_trend === null ? null : Number(r.sentiment_trend),
  mergedInto: r.merged_into,
  createdAt: iso(r.created_at) as string,
  profileUpdatedAt: iso(r.profile_updated_at),
});

// Merges form chains at most a few links long; the bound only stops a corrupted cycle from looping forever.
const MAX_MERGE_HOPS = 10;

/** The customer a (possibly merged-away) id now belongs to, or null when unknown. */
export async function canonicalCustomerId(q: Queryable, customerId: string): Promise<string | null> {
  let id = customerId;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const r = await q.query<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = $1', [id]);
    const row = r.rows[0];
    if (!row) return null;
    if (!row.merged_into) return id;
    id = row.merged_into;
  }
  throw new Error(`customer ${customerId}: merge chain longer than ${MAX_MERGE_HOPS}`);
}

/** The live profile behind an id (following merges), or null. */
export async function getProfile(q: Queryable, customerId: string): Promise<CustomerProfile | null> {
  const id = await canonicalCustomerId(q, customerId);
  if (!id) return null;
  const r = await q.query<CustomerRow>('SELECT * FROM customers WHERE id = $1', [id]);
  return r.rows[0] ? toProfile(r.rows[0]) : null;
}

export async function listIdentities(q: Queryable, customerId: string): Promise<{ channel: Channel; externalId: string }[]> {
  const r = await q.query<{ channel: Channel; external_id: string }>(
    'SELECT channel, external_id FROM channel_identities WHERE customer_id = $1 ORDER BY channel, external_id',
    [customerId],
  );
  return r.rows.map((row) => ({ channel: row.channel, externalId: row.external_id }));
}

/** Fields an operator or the CRM may set directly. */
export interface ProfilePatch {
  displayName?: string | null;
  language?: Language | null;
  tier?: string;
  timezone?: string | null;
  addTags?: string[];
  attributes?: Record<string, unknown>;
  addProductsOfInterest?: string[];
}

export async function patchProfile(q: Queryable, customerId: string, p: ProfilePatch): Promise<void> {
  await q.query(
    `UPDATE customers SET
       display_name = CASE WHEN $2 THEN $3 ELSE display_name END,
       language = CASE WHEN $4 THEN $5 ELSE language END,
       tier = COALESCE($6, tier),
       timezone = CASE WHEN $7 THEN $8 ELSE timezone END,
       tags = ARRAY(SELECT DISTINCT unnest(tags || $9::text[]) ORDER BY 1),
       attributes = attributes || $10::jsonb,
       products_of_interest = ARRAY(SELECT DISTINCT unnest(products_of_interest || $11::text[]) ORDER BY 1),
       updated_at = now()
     WHERE id = $1`,
    [customerId, p.displayName !== undefined, p.displayName ?? null, p.language !== undefined, p.language ?? null,
      p.tier ?? null, p.timezone !== undefined, p.timezone ?? null, p.addTags ?? [], JSON.stringify(p.attributes ?? {}),
      p.addProductsOfInterest ?? []],
  );
}

/** What one closed conversation contributed: written once per conversation, so re-running the update is harmless. */
export interface ConversationSignals {
  conversationKey: string;
  customerId: string;
  sentiment: number | null;
  riskCategories: string[];
  intents: string[];
  customerMessages: number;
}

export async function saveConversationSignals(q: Queryable, s: ConversationSignals): Promise<void> {
  await q.query(
    `INSERT INTO conversation_signals (conversation_key, customer_id, sentiment, risk_categories, intents, customer_messages)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (conversation_key) DO UPDATE SET customer_id = EXCLUDED.customer_id, sentiment = EXCLUDED.sentiment,
       risk_categories = EXCLUDED.risk_categories, intents = EXCLUDED.intents,
       customer_messages = EXCLUDED.customer_messages, computed_at = now()`,
    [s.conversationKey, s.customerId, s.sentiment, s.riskCategories, s.intents, s.customerMessages],
  );
}

/** Sentiment of the customer's recent conversations, newest first. */
export async function recentSentiments(q: Queryable, customerId: string, limit = 10): Promise<number[]> {
  const r = await q.query<{ sentiment: number }>(
    `SELECT sentiment FROM conversation_signals WHERE customer_id = $1 AND sentiment IS NOT NULL
     ORDER BY computed_at DESC, conversation_key LIMIT $2`,
    [customerId, limit],
  );
  return r.rows.map((row) => Number(row.sentiment));
}

export async function setSentiment(q: Queryable, customerId: string, last: number | null, trend: number | null): Promise<void> {
  await q.query('UPDATE customers SET sentiment_last = $2, sentiment_trend = $3, updated_at = now() WHERE id = $1', [customerId, last, trend]);
}

export async function markProfileUpdated(q: Queryable, customerId: string): Promise<void> {
  await q.query('UPDATE customers SET profile_updated_at = now() WHERE id = $1', [customerId]);
}

/** Counts per intent over a few windows: the intent history the flag rules read. */
export interface IntentCount {
  intent: string;
  window: number;
  messages: number;
  conversations: number;
}

export async function intentCounts(q: Queryable, customerId: string, windowsDays: number[], now: Date = new Date()): Promise<IntentCount[]> {
  const longest = Math.max(...windowsDays);
  const r = await q.query<{ intent: string; conversation_key: string; created_at: Date | string }>(
    `SELECT intent, conversation_key, created_at FROM turn_outcomes
     WHERE customer_id = $1 AND intent IS NOT NULL AND created_at > $2::timestamptz - ($3::text || ' days')::interval`,
    [customerId, now.toISOString(), String(longest)],
  );
  const out: IntentCount[] = [];
  for (const window of windowsDays) {
    const since = now.getTime() - window * 86_400_000;
    const by = new Map<string, { messages: number; conversations: Set<string> }>();
    for (const row of r.rows) {
      if (new Date(row.created_at).getTime() <= since) continue;
      const entry = by.get(row.intent) ?? { messages: 0, conversations: new Set<string>() };
      entry.messages += 1;
      entry.conversations.add(row.conversation_key);
      by.set(row.intent, entry);
    }
    for (const [intent, e] of by) out.push({ intent, window, messages: e.messages, conversations: e.conversations.size });
  }
  return out;
}

/** How often each risk category showed up in the customer's conversations closed within `windowDays`. */
export async function riskCategoryCounts(q: Queryable, customerId: string, windowDays: number, now: Date = new Date()): Promise<Record<string, number>> {
  const r = await q.query<{ category: string; n: string | number }>(
    `SELECT c AS category, count(*) AS n FROM conversation_signals, unnest(risk_categories) AS c
     WHERE customer_id = $1 AND computed_at > $2::timestamptz - ($3::text || ' days')::interval GROUP BY c`,
    [customerId, now.toISOString(), String(windowDays)],
  );
  return Object.fromEntries(r.rows.map((row) => [row.category, Number(row.n)]));
}

/** Conversation counts and recency: how engaged the customer is. */
export async function contactStats(q: Queryable, customerId: string, windowDays: number, now: Date = new Date()): Promise<{ conversations: number; lastContactAt: string | null }> {
  const r = await q.query<{ n: string | number; last: Date | string | null }>(
    `SELECT count(*) FILTER (WHERE last_message_at > $2::timestamptz - ($3::text || ' days')::interval) AS n, max(last_message_at) AS last
     FROM conversations WHERE customer_id = $1`,
    [customerId, now.toISOString(), String(windowDays)],
  );
  const row = r.rows[0];
  return { conversations: Number(row?.n ?? 0), lastContactAt: iso(row?.last ?? null) };
}

/** Live (not merged-away) customer ids after `after`, in id order: for paging over every profile. */
export async function listCustomerIds(q: Queryable, after: string | null, limit: number): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    'SELECT id FROM customers WHERE merged_into IS NULL AND ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2',
    [after, limit],
  );
  return r.rows.map((row) => row.id);
}
