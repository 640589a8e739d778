import { randomUUID } from 'node:crypto';
import type { Channel, Language } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

/** A request a back-office workflow follows up on (migration 0009), e.g. a trade-in callback. */
export interface Lead {
  id: string;
  kind: string;
  workflowId: string;
  conversationKey: string;
  customerId: string;
  channel: Channel;
  messageId: string;
  text: string;
  language: Language | null;
  intent: string | null;
  queue: string;
  status: 'open' | 'done';
  desk: string | null;
  deskRef: Record<string, unknown> | null;
  createdAt: string;
  postedAt: string | null;
}

export type NewLead = Pick<Lead, 'kind' | 'workflowId' | 'conversationKey' | 'customerId' | 'channel' | 'messageId' | 'text' | 'language' | 'intent' | 'queue'>;

interface LeadRow {
  id: string;
  kind: string;
  workflow_id: string;
  conversation_key: string;
  customer_id: string;
  channel: Channel;
  message_id: string;
  text: string;
  language: Language | null;
  intent: string | null;
  queue: string;
  status: 'open' | 'done';
  desk: string | null;
  desk_ref: Record<string, unknown> | null;
  created_at: Date | string;
  posted_at: Date | string | null;
}

const toLead = (r: LeadRow): Lead => ({
  id: r.id,
  kind: r.kind,
  workflowId: r.workflow_id,
  conversationKey: r.conversation_key,
  customerId: r.customer_id,
  channel: r.channel,
  messageId: r.message_id,
  text: r.text,
  language: r.language,
  intent: r.intent,
  queue: r.queue,
  status: r.status,
  desk: r.desk,
  deskRef: r.desk_ref,
  createdAt: iso(r.created_at) as string,
  postedAt: iso(r.posted_at),
});

/** Idempotent per workflow: a retried activity gets the lead recorded the first time. */
export async function recordLead(q: Queryable, lead: NewLead): Promise<Lead> {
  await q.query(
    `INSERT INTO leads (id, kind, workflow_id, conversation_key, customer_id, channel, message_id, text, language, intent, queue)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (workflow_id) DO NOTHING`,
    [randomUUID(), lead.kind, lead.workflowId, lead.conversationKey, lead.customerId, lead.channel, lead.messageId, lead.text, lead.language, lead.intent, lead.queue],
  );
  const r = await q.query<LeadRow>('SELECT * FROM leads WHERE workflow_id = $1', [lead.workflowId]);
  return toLead(r.rows[0] as LeadRow);
}

export async function getLead(q: Queryable, id: string): Promise<Lead | null> {
  const r = await q.query<LeadRow>('SELECT * FROM leads WHERE id = $1', [id]);
  return r.rows[0] ? toLead(r.rows[0]) : null;
}

export async function markLeadPosted(q: Queryable, id: string, desk: string, ref: unknown): Promise<void> {
  await q.query('UPDATE leads SET desk = $2, desk_ref = $3, posted_at = COALESCE(posted_at, now()) WHERE id = $1', [id, desk, JSON.stringify(ref ?? {})]);
}

/** Leads for the desk, newest first: open ones by default. */
export async function listLeads(q: Queryable, f: { status?: Lead['status']; conversationKey?: string; limit?: number } = {}): Promise<Lead[]> {
  const r = await q.query<LeadRow>(
    `SELECT * FROM leads WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR conversation_key = $2)
     ORDER BY created_at DESC LIMIT $3`,
    [f.status ?? null, f.conversationKey ?? null, f.limit ?? 50],
  );
  return r.rows.map(toLead);
}
