import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

export type HandoffStatus = 'after_hours' | 'waiting' | 'claimed' | 'resolved' | 'ended';

export interface HandoffRecord {
  id: string;
  workflowId: string;
  conversationKey: string;
  status: HandoffStatus;
  queue: string;
  priority: number;
  reason: string;
  riskFlags: string[];
  agentId: string | null;
  agentName: string | null;
  desk: string | null;
  cardChannel: string | null;
  cardTs: string | null;
  createdAt: string;
  queuedAt: string | null;
  claimedAt: string | null;
  endedAt: string | null;
  endedBy: string | null;
}

interface HandoffRow {
  id: string;
  workflow_id: string;
  conversation_key: string;
  status: HandoffStatus;
  queue: string;
  priority: number;
  reason: string;
  risk_flags: string[] | null;
  agent_id: string | null;
  agent_name: string | null;
  desk: string | null;
  card_channel: string | null;
  card_ts: string | null;
  created_at: Date | string;
  queued_at: Date | string | null;
  claimed_at: Date | string | null;
  ended_at: Date | string | null;
  ended_by: string | null;
}

const toHandoff = (r: HandoffRow): HandoffRecord => ({
  id: r.id,
  workflowId: r.workflow_id,
  conversationKey: r.conversation_key,
  status: r.status,
  queue: r.queue,
  priority: Number(r.priority),
  reason: r.reason,
  riskFlags: r.risk_flags ?? [],
  agentId: r.agent_id,
  agentName: r.agent_name,
  desk: r.desk,
  cardChannel: r.card_channel,
  cardTs: r.card_ts,
  createdAt: iso(r.created_at) as string,
  queuedAt: iso(r.queued_at),
  claimedAt: iso(r.claimed_at),
  endedAt: iso(r.ended_at),
  endedBy: r.ended_by,
});

export interface NewHandoff {
  id: string;
  workflowId: string;
  conversationKey: string;
  status: 'after_hours' | 'waiting';
  queue: string;
  priority: number;
  reason: string;
  riskFlags: string[];
}

/** Records a handoff once; a retried activity finds the row already there. */
export async function insertHandoff(q: Queryable, h: NewHandoff): Promise<HandoffRecord> {
  await q.query(
    `INSERT INTO handoffs (id, workflow_id, conversation_key, status, queue, priority, reason, risk_flags)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[]) ON CONFLICT (id) DO NOTHING`,
    [h.id, h.workflowId, h.conversationKey, h.status, h.queue, h.priority, h.reason, h.riskFlags],
  );
  return (await getHandoff(q, h.id)) as HandoffRecord;
}

export async function getHandoff(q: Queryable, id: string): Promise<HandoffRecord | null> {
  const r = await q.query<HandoffRow>('SELECT * FROM handoffs WHERE id = $1', [id]);
  return r.rows[0] ? toHandoff(r.rows[0]) : null;
}

/** The handoff whose card (current or earlier, after a transfer) owns this desk thread. */
export async function findHandoffByCard(q: Queryable, desk: string, channel: string, ts: string): Promise<HandoffRecord | null> {
  const r = await q.query<HandoffRow>(
    `SELECT h.* FROM handoff_cards c JOIN handoffs h ON h.id = c.handoff_id WHERE c.desk = $1 AND c.channel = $2 AND c.ts = $3`,
    [desk, channel, ts],
  );
  return r.rows[0] ? toHandoff(r.rows[0]) : null;
}

/** The card now showing the handoff; earlier cards keep mapping their threads to it. */
export async function setHandoffCard(q: Queryable, id: string, card: { desk: string; channel: string; ts: string }): Promise<void> {
  await q.query(
    'INSERT INTO handoff_cards (desk, channel, ts, handoff_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [card.desk, card.channel, card.ts, id],
  );
  await q.query('UPDATE handoffs SET desk = $2, card_channel = $3, card_ts = $4, updated_at = now() WHERE id = $1', [id, card.desk, card.channel, card.ts]);
}

/** Into a queue (first time, after business hours, or transferred): waiting, no agent, the queue clock restarts. */
export async function markHandoffQueued(q: Queryable, id: string, queue: string): Promise<void> {
  await q.query(
    `UPDATE handoffs SET status = 'waiting', queue = $2, agent_id = NULL, agent_name = NULL, queued_at = now(), updated_at = now()
     WHERE id = $1 AND status IN ('after_hours', 'waiting', 'claimed')`,
    [id, queue],
  );
}

export async function markHandoffClaimed(q: Queryable, id: string, agent: { id: string; name: string }): Promise<void> {
  await q.query(
    `UPDATE handoffs SET status = 'claimed', agent_id = $2, agent_name = $3, claimed_at = COALESCE(claimed_at, now()), updated_at = now()
     WHERE id = $1 AND status IN ('waiting', 'claimed')`,
    [id, agent.id, agent.name],
  );
}

export async function markHandoffEnded(q: Queryable, id: string, status: 'resolved' | 'ended', by: string | null): Promise<void> {
  await q.query(
    `UPDATE handoffs SET status = $2, ended_by = $3, ended_at = COALESCE(ended_at, now()), updated_at = now()
     WHERE id = $1 AND status NOT IN ('resolved', 'ended')`,
    [id, status, by],
  );
}

export async function setHandoffRisk(q: Queryable, id: string, priority: number, riskFlags: string[]): Promise<void> {
  await q.query('UPDATE handoffs SET priority = $2, risk_flags = $3::text[], updated_at = now() WHERE id = $1', [id, priority, riskFlags]);
}

export interface HandoffFilter {
  statuses?: HandoffStatus[];
  agentId?: string;
  limit?: number;
}

/** Open handoffs first by queue order (priority, then time in queue); ended ones by recency. */
export async function listHandoffs(q: Queryable, f: HandoffFilter = {}): Promise<HandoffRecord[]> {
  const r = await q.query<HandoffRow>(
    `SELECT * FROM handoffs
     WHERE ($1::text[] IS NULL OR status = ANY($1::text[])) AND ($2::text IS NULL OR agent_id = $2)
     ORDER BY CASE WHEN status IN ('resolved', 'ended') THEN 1 ELSE 0 END, priority DESC,
              COALESCE(queued_at, created_at), updated_at DESC
     LIMIT $3`,
    [f.statuses ?? null, f.agentId ?? null, f.limit ?? 200],
  );
  return r.rows.map(toHandoff);
}

export interface QueuePosition {
  /** 1 = next to be picked up. */
  position: number;
  waiting: number;
}

/** The handoff's place among waiting handoffs of its queue (higher priority first, then first come). */
export async function handoffQueuePosition(q: Queryable, id: string): Promise<QueuePosition | null> {
  const r = await q.query<{ position: string | number; waiting: string | number }>(
    `SELECT
       (SELECT count(*) FROM handoffs o WHERE o.queue = h.queue AND o.status = 'waiting' AND o.id <> h.id
          AND (o.priority > h.priority OR (o.priority = h.priority AND (o.queued_at, o.id) < (h.queued_at, h.id)))) + 1 AS position,
       (SELECT count(*) FROM handoffs o WHERE o.queue = h.queue AND o.status = 'waiting') AS waiting
     FROM handoffs h WHERE h.id = $1 AND h.status = 'waiting'`,
    [id],
  );
  const row = r.rows[0];
  return row ? { position: Number(row.position), waiting: Number(row.waiting) } : null;
}

/** Mean time from queued to claimed over the queue's recent claims, or null without history. */
export async function recentClaimWaitMs(q: Queryable, queue: string, sample = 20): Promise<number | null> {
  const r = await q.query<{ mean: string | number | null }>(
    `SELECT avg(extract(epoch FROM (claimed_at - queued_at)) * 1000) AS mean FROM (
       SELECT claimed_at, queued_at FROM handoffs
       WHERE queue = $1 AND claimed_at IS NOT NULL AND queued_at IS NOT NULL AND claimed_at >= queued_at
         AND claimed_at > now() - interval '7 days'
       ORDER BY claimed_at DESC LIMIT $2) recent`,
    [queue, sample],
  );
  const mean = r.rows[0]?.mean;
  return mean === null || mean === undefined ? null : Math.round(Number(mean));
}

export interface AgentRelay {
  handoffId: string;
  sourceId: string;
  agentId: string;
  agentName: string;
  text: string;
  deliveryKey: string;
}

/** Records an agent message relayed to the customer; false when this source message was relayed before. */
export async function recordAgentRelay(q: Queryable, m: AgentRelay): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO handoff_agent_messages (handoff_id, source_id, agent_id, agent_name, text, delivery_key)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING source_id`,
    [m.handoffId, m.sourceId, m.agentId, m.agentName, m.text, m.deliveryKey],
  );
  return r.rows.length > 0;
}

export async function listAgentRelays(q: Queryable, handoffId: string): Promise<(AgentRelay & { createdAt: string })[]> {
  const r = await q.query<{ handoff_id: string; source_id: string; agent_id: string; agent_name: string | null; text: string; delivery_key: string; created_at: Date | string }>(
    'SELECT * FROM handoff_agent_messages WHERE handoff_id = $1 ORDER BY created_at, source_id',
    [handoffId],
  );
  return r.rows.map((row) => ({
    handoffId: row.handoff_id,
    sourceId: row.source_id,
    agentId: row.agent_id,
    agentName: row.agent_name ?? row.agent_id,
    text: row.text,
    deliveryKey: row.delivery_key,
    createdAt: iso(row.created_at) as string,
  }));
}

/**
 * How the agent's card names the customer: the display name their channel reported, else their id on the channel
 * (what the customer calls themselves, e.g. a web login) rather than the internal customer id.
 */
export async function getCustomerName(q: Queryable, customerId: string): Promise<string | null> {
  const r = await q.query<{ name: string | null }>(
    `SELECT COALESCE(c.display_name,
       (SELECT i.display_name FROM channel_identities i WHERE i.customer_id = c.id AND i.display_name IS NOT NULL ORDER BY i.created_at LIMIT 1),
       (SELECT i.external_id FROM channel_identities i WHERE i.customer_id = c.id ORDER BY i.created_at LIMIT 1)) AS name
     FROM customers c WHERE c.id = $1`,
    [customerId],
  );
  return r.rows[0]?.name ?? null;
}
