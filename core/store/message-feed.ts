import type { StoredMessage } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { toStoredMessage, type MessageRow } from './rows.js';

/**
 * New messages of many conversations in one round trip, each after its own cursor (the gateway's event streams
 * share one poll instead of one query per open stream). Ordered by conversation, then sequence.
 */
export async function listMessagesSince(q: Queryable, cursors: { conversationKey: string; afterSeq: number }[], perConversation = 100): Promise<StoredMessage[]> {
  if (cursors.length === 0) return [];
  const r = await q.query<MessageRow>(
    `SELECT m.* FROM unnest($1::text[], $2::bigint[]) AS c(key, after_seq)
     CROSS JOIN LATERAL (
       SELECT * FROM messages WHERE conversation_key = c.key AND seq > c.after_seq ORDER BY seq LIMIT $3
     ) m
     ORDER BY m.conversation_key, m.seq`,
    [cursors.map((c) => c.conversationKey), cursors.map((c) => c.afterSeq), perConversation],
  );
  return r.rows.map(toStoredMessage);
}
