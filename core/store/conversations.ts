import type { Channel, ConversationStatus, Language } from '../domain.js';
import { conversationKey } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { iso, type ConversationRow } from './rows.js';

export interface Conversation {
  key: string;
  channel: Channel;
  externalId: string;
  customerId: string;
  status: ConversationStatus;
  language: Language | null;
  replyTarget: Record<string, unknown> | null;
  startedAt: string;
  lastMessageAt: string;
  closedAt: string | null;
  closeReason: string | null;
}

const toConversation = (r: ConversationRow): Conversation => ({
  key: r.key,
  channel: r.channel as Channel,
  externalId: r.external_id,
  customerId: r.customer_id,
  status: r.status,
  language: r.language,
  replyTarget: r.reply_target,
  startedAt: iso(r.started_at) as string,
  lastMessageAt: iso(r.last_message_at) as string,
  closedAt: iso(r.closed_at),
  closeReason: r.close_reason,
});

/** Creates the conversation or, for a new message on a closed one, reopens it; keeps the latest reply target. */
export async function touchConversation(
  q: Queryable,
  c: { channel: Channel; externalId: string; customerId: string; language?: Language; replyTarget?: Record<string, unknown> },
): Promise<Conversation> {
  const r = await q.query<ConversationRow>(
    `INSERT INTO conversations (key, channel, external_id, customer_id, language, reply_target)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET
       last_message_at = now(),
       language = COALESCE(EXCLUDED.language, conversations.language),
       reply_target = COALESCE(EXCLUDED.reply_target, conversations.reply_target),
       status = CASE WHEN conversations.status = 'closed' THEN 'bot' ELSE conversations.status END,
       closed_at = CASE WHEN conversations.status = 'closed' THEN NULL ELSE conversations.closed_at END,
       close_reason = CASE WHEN conversations.status = 'closed' THEN NULL ELSE conversations.close_reason END
     RETURNING *`,
    [conversationKey(c.channel, c.externalId), c.channel, c.externalId, c.customerId, c.language ?? null,
      c.replyTarget ? JSON.stringify(c.replyTarget) : null],
  );
  return toConversation(r.rows[0] as ConversationRow);
}

export async function getConversation(q: Queryable, key: string): Promise<Conversation | null> {
  const r = await q.query<ConversationRow>('SELECT * FROM conversations WHERE key = $1', [key]);
  return r.rows[0] ? toConversation(r.rows[0]) : null;
}

export async function setConversationStatus(q: Queryable, key: string, status: ConversationStatus, reason?: string): Promise<void> {
  await q.query(
    `UPDATE conversations SET status = $2,
       closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE NULL END,
       close_reason = CASE WHEN $2 = 'closed' THEN $3 ELSE NULL END
     WHERE key = $1`,
    [key, status, reason ?? null],
  );
}
