import { randomUUID } from 'node:crypto';
import type { Citation, Language, Role, StoredMessage } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { toStoredMessage, type MessageRow } from './rows.js';

export interface NewMessage {
  conversationKey: string;
  channel: string;
  channelMessageId: string;
  role: Role;
  text: string;
  language?: Language | null;
  attachments?: unknown[];
  citations?: Citation[];
  meta?: Record<string, unknown>;
}

/** Inserts a message unless (channel, channel message id) exists; returns the stored row either way. */
export async function insertMessage(q: Queryable, m: NewMessage): Promise<{ inserted: boolean; message: StoredMessage; dispatched: boolean }> {
  const ins = await q.query<MessageRow>(
    `INSERT INTO messages (id, conversation_key, channel, channel_message_id, role, text, language, attachments, citations, meta)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (channel, channel_message_id) DO NOTHING RETURNING *`,
    [randomUUID(), m.conversationKey, m.channel, m.channelMessageId, m.role, m.text, m.language ?? null,
      m.attachments ? JSON.stringify(m.attachments) : null, m.citations ? JSON.stringify(m.citations) : null,
      m.meta ? JSON.stringify(m.meta) : null],
  );
  const row = ins.rows[0] ?? (await q.query<MessageRow>(
    'SELECT * FROM messages WHERE channel = $1 AND channel_message_id = $2', [m.channel, m.channelMessageId])).rows[0];
  if (!row) throw new Error(`message ${m.channel}/${m.channelMessageId} vanished after insert`);
  return { inserted: ins.rows.length > 0, message: toStoredMessage(row), dispatched: row.dispatched_at !== null };
}

export async function listMessages(q: Queryable, conversationKey: string, afterSeq = 0, limit = 500): Promise<StoredMessage[]> {
  const r = await q.query<MessageRow>(
    'SELECT * FROM messages WHERE conversation_key = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [conversationKey, afterSeq, limit],
  );
  return r.rows.map(toStoredMessage);
}

export async function markDispatched(q: Queryable, messageId: string): Promise<void> {
  await q.query('UPDATE messages SET dispatched_at = now() WHERE id = $1 AND dispatched_at IS NULL', [messageId]);
}

/** Customer messages stored but never handed to their workflow (the gateway died in between). */
export async function listUndispatched(q: Queryable, olderThanMs: number, limit = 100): Promise<(StoredMessage & { channel: string; channelMessageId: string })[]> {
  const r = await q.query<MessageRow>(
    `SELECT * FROM messages WHERE dispatched_at IS NULL AND role = 'customer'
       AND created_at < now() - ($1::text || ' milliseconds')::interval ORDER BY seq LIMIT $2`,
    [String(olderThanMs), limit],
  );
  return r.rows.map((row) => ({ ...toStoredMessage(row), channel: row.channel, channelMessageId: row.channel_message_id }));
}
