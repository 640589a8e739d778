import type { Channel } from '../domain.js';
import type { Db, Queryable } from '../db/types.js';
import { iso } from './rows.js';

export type OutreachEventKind = 'sent' | 'delivered' | 'replied' | 'converted' | 'opted_out' | 'skipped' | 'deferred' | 'cancelled' | 'failed';

export interface OutreachSend {
  idempotencyKey: string;
  campaign: string;
  customerId: string;
  step: string;
  channel: Channel;
  conversationKey: string;
  conversionIntents: string[];
  status: 'claimed' | 'delivered' | 'failed';
  claimedAt: string;
  deliveredAt: string | null;
}

interface SendRow {
  idempotency_key: string;
  campaign: string;
  customer_id: string;
  step: string;
  channel: Channel;
  conversation_key: string;
  conversion_intents: string[];
  status: OutreachSend['status'];
  claimed_at: Date | string;
  delivered_at: Date | string | null;
}

const toSend = (r: SendRow): OutreachSend => ({
  idempotencyKey: r.idempotency_key,
  campaign: r.campaign,
  customerId: r.customer_id,
  step: r.step,
  channel: r.channel,
  conversationKey: r.conversation_key,
  conversionIntents: r.conversion_intents ?? [],
  status: r.status,
  claimedAt: iso(r.claimed_at) as string,
  deliveredAt: iso(r.delivered_at),
});

export async function getOutreachSend(q: Queryable, key: string): Promise<OutreachSend | null> {
  const r = await q.query<SendRow>('SELECT * FROM outreach_sends WHERE idempotency_key = $1', [key]);
  return r.rows[0] ? toSend(r.rows[0]) : null;
}

export interface OutreachClaim {
  idempotencyKey: string;
  campaign: string;
  customerId: string;
  step: string;
  channel: Channel;
  conversationKey: string;
  conversionIntents: string[];
}

export interface SendLimits {
  /** Outreach messages a customer may receive within a window, counting every campaign. */
  frequencyCaps: { max: number; windowMs: number }[];
  /** Outreach messages a channel may carry per interval, across all workers. */
  rate?: { max: number; perMs: number };
}

export type ClaimResult =
  | { status: 'claimed' | 'already_claimed'; send: OutreachSend }
  | { status: 'capped'; count: number; max: number; windowMs: number }
  | { status: 'rate_limited'; retryAfterMs: number };

/**
 * Claims the right to send one outreach message. Caps and rate limits are checked and the claim written in one
 * transaction under advisory locks on the customer and the channel, so two campaigns (or two workers) racing for the
 * same customer cannot both get under the cap. A claim that exists already (activity retry) is returned as is.
 */
export function claimOutreachSend(db: Db, c: OutreachClaim, limits: SendLimits): Promise<ClaimResult> {
  return db.transaction(async (tx): Promise<ClaimResult> => {
    // Always customer first, then channel: one lock order, no deadlocks.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`outreach-customer:${c.customerId}`]);
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`outreach-channel:${c.channel}`]);
    const mine = await tx.query<SendRow>('SELECT * FROM outreach_sends WHERE idempotency_key = $1', [c.idempotencyKey]);
    if (mine.rows[0]) return { status: 'already_claimed', send: toSend(mine.rows[0]) };

    for (const cap of limits.frequencyCaps) {
      const r = await tx.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM outreach_sends WHERE customer_id = $1 AND status <> 'failed'
           AND claimed_at > now() - ($2::text || ' milliseconds')::interval`,
        [c.customerId, String(cap.windowMs)],
      );
      const count = Number(r.rows[0]?.n ?? 0);
      if (count >= cap.max) return { status: 'capped', count, max: cap.max, windowMs: cap.windowMs };
    }
    if (limits.rate) {
      const r = await tx.query<{ n: string | number; wait_ms: string | number | null }>(
        `SELECT count(*) AS n,
           EXTRACT(EPOCH FROM (min(claimed_at) + ($2::text || ' milliseconds')::interval - now())) * 1000 AS wait_ms
         FROM outreach_sends WHERE channel = $1 AND claimed_at > now() - ($2::text || ' milliseconds')::interval`,
        [c.channel, String(limits.rate.perMs)],
      );
      if (Number(r.rows[0]?.n ?? 0) >= limits.rate.max) {
        return { status: 'rate_limited', retryAfterMs: Math.max(50, Math.ceil(Number(r.rows[0]?.wait_ms ?? limits.rate.perMs))) };
      }
    }
    const ins = await tx.query<SendRow>(
      `INSERT INTO outreach_sends (idempotency_key, campaign, customer_id, step, channel, conversation_key, conversion_intents)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [c.idempotencyKey, c.campaign, c.customerId, c.step, c.channel, c.conversationKey, c.conversionIntents],
    );
    return { status: 'claimed', send: toSend(ins.rows[0] as SendRow) };
  });
}

export async function setOutreachSendStatus(q: Queryable, key: string, status: 'delivered' | 'failed'): Promise<void> {
  await q.query(
    `UPDATE outreach_sends SET status = $2, delivered_at = CASE WHEN $2 = 'delivered' THEN COALESCE(delivered_at, now()) ELSE delivered_at END
     WHERE idempotency_key = $1`,
    [key, status],
  );
}

/** Outreach messages the customer received (or has claimed) within the window, across campaigns. */
export async function countRecentSends(q: Queryable, customerId: string, windowMs: number): Promise<number> {
  const r = await q.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM outreach_sends WHERE customer_id = $1 AND status <> 'failed'
       AND claimed_at > now() - ($2::text || ' milliseconds')::interval`,
    [customerId, String(windowMs)],
  );
  return Number(r.rows[0]?.n ?? 0);
}

export interface NewOutreachEvent {
  campaign: string | null;
  customerId: string;
  step?: string;
  kind: OutreachEventKind;
  detail?: Record<string, unknown>;
  /** Same key, same event: retries and repeated hooks record an outcome once. */
  dedupeKey?: string;
}

export async function recordOutreachEvent(q: Queryable, e: NewOutreachEvent): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO outreach_events (campaign, customer_id, step, kind, detail, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1`,
    [e.campaign, e.customerId, e.step ?? null, e.kind, e.detail ? JSON.stringify(e.detail) : null, e.dedupeKey ?? null],
  );
  return r.rows.length > 0;
}

export interface OutreachEvent {
  id: number;
  campaign: string | null;
  customerId: string;
  step: string | null;
  kind: OutreachEventKind;
  detail: Record<string, unknown> | null;
  at: string;
}

export async function listOutreachEvents(q: Queryable, filter: { campaign?: string; customerId?: string }): Promise<OutreachEvent[]> {
  const r = await q.query<{ id: string | number; campaign: string | null; customer_id: string; step: string | null; kind: OutreachEventKind; detail: Record<string, unknown> | null; at: Date | string }>(
    `SELECT * FROM outreach_events WHERE ($1::text IS NULL OR campaign = $1) AND ($2::text IS NULL OR customer_id = $2) ORDER BY id`,
    [filter.campaign ?? null, filter.customerId ?? null],
  );
  return r.rows.map((row) => ({ id: Number(row.id), campaign: row.campaign, customerId: row.customer_id, step: row.step, kind: row.kind, detail: row.detail, at: iso(row.at) as string }));
}

/** Outcome counts of one campaign (for `kefu campaign status` and the console). */
export async function campaignOutcomeCounts(q: Queryable, campaign: string): Promise<Record<string, number>> {
  const r = await q.query<{ kind: string; n: string | number }>(
    'SELECT kind, count(DISTINCT customer_id) AS n FROM outreach_events WHERE campaign = $1 GROUP BY kind ORDER BY kind',
    [campaign],
  );
  return Object.fromEntries(r.rows.map((row) => [row.kind, Number(row.n)]));
}

export async function hasReplied(q: Queryable, campaign: string, customerId: string): Promise<boolean> {
  const r = await q.query("SELECT 1 FROM outreach_events WHERE campaign = $1 AND customer_id = $2 AND kind = 'replied' LIMIT 1", [campaign, customerId]);
  return r.rows.length > 0;
}

/** The campaign message a customer's new message answers: the latest one delivered to them within the window. */
export async function latestDeliveredSend(q: Queryable, customerId: string, windowMs: number): Promise<OutreachSend | null> {
  const r = await q.query<SendRow>(
    `SELECT * FROM outreach_sends WHERE customer_id = $1 AND status = 'delivered'
       AND delivered_at > now() - ($2::text || ' milliseconds')::interval ORDER BY delivered_at DESC LIMIT 1`,
    [customerId, String(windowMs)],
  );
  return r.rows[0] ? toSend(r.rows[0]) : null;
}

/** Marks a conversation as carrying a campaign's reply: `campaign` column and a `campaign:<name>` tag. */
export async function tagConversationWithCampaign(q: Queryable, conversationKey: string, campaign: string): Promise<void> {
  await q.query(
    `UPDATE conversations SET campaign = $2, tags = ARRAY(SELECT DISTINCT unnest(tags || ARRAY['campaign:' || $2]) ORDER BY 1) WHERE key = $1`,
    [conversationKey, campaign],
  );
}

export async function conversationCampaign(q: Queryable, conversationKey: string): Promise<{ campaign: string | null; tags: string[] } | null> {
  const r = await q.query<{ campaign: string | null; tags: string[] }>('SELECT campaign, tags FROM conversations WHERE key = $1', [conversationKey]);
  return r.rows[0] ?? null;
}

/** The customer's most recent conversation on each channel: where outreach can reach them. */
export async function latestConversationPerChannel(q: Queryable, customerId: string): Promise<{ key: string; channel: Channel; lastMessageAt: string; hasReplyTarget: boolean }[]> {
  const r = await q.query<{ key: string; channel: Channel; last_message_at: Date | string; has_target: boolean }>(
    `SELECT DISTINCT ON (channel) key, channel, last_message_at, reply_target IS NOT NULL AS has_target
     FROM conversations WHERE customer_id = $1 ORDER BY channel, last_message_at DESC, key`,
    [customerId],
  );
  return r.rows.map((row) => ({ key: row.key, channel: row.channel, lastMessageAt: iso(row.last_message_at) as string, hasReplyTarget: row.has_target }));
}

export interface AudienceQuery {
  /** Any of these active flags (empty: no condition). */
  flags: string[];
  /** Any of these tags. */
  tags: string[];
  /** Any of these value tiers. */
  tiers: string[];
  languages: string[];
  /** Leave out customers this campaign already reached (each customer gets a campaign once). */
  campaign: string;
  after: string | null;
  limit: number;
}

/** One page of customers matching a campaign's audience, ordered by id for stable paging. */
export async function campaignAudience(q: Queryable, a: AudienceQuery, now: Date = new Date()): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT c.id FROM customers c
     WHERE c.merged_into IS NULL
       AND ($1::text IS NULL OR c.id > $1)
       AND (cardinality($2::text[]) = 0 OR EXISTS (
             SELECT 1 FROM customer_flags f WHERE f.customer_id = c.id AND f.flag = ANY($2::text[]) AND f.expires_at > $7))
       AND (cardinality($3::text[]) = 0 OR c.tags && $3::text[])
       AND (cardinality($4::text[]) = 0 OR c.tier = ANY($4::text[]))
       AND (cardinality($5::text[]) = 0 OR c.language = ANY($5::text[]))
       -- Reached before, or a delivery that failed for good (blocked contact): never selected again for this campaign.
       AND NOT EXISTS (SELECT 1 FROM outreach_sends s WHERE s.campaign = $6 AND s.customer_id = c.id)
     ORDER BY c.id LIMIT $8`,
    [a.after, a.flags, a.tags, a.tiers, a.languages, a.campaign, now.toISOString(), a.limit],
  );
  return r.rows.map((row) => row.id);
}
