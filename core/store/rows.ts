import type { Citation, ConversationStatus, Language, Role, StoredMessage } from '../domain.js';

export interface MessageRow {
  id: string;
  seq: string | number;
  conversation_key: string;
  channel: string;
  channel_message_id: string;
  role: Role;
  text: string;
  language: Language | null;
  citations: Citation[] | null;
  created_at: Date | string;
  dispatched_at: Date | string | null;
}

export interface ConversationRow {
  key: string;
  channel: string;
  external_id: string;
  customer_id: string;
  status: ConversationStatus;
  language: Language | null;
  reply_target: Record<string, unknown> | null;
  started_at: Date | string;
  last_message_at: Date | string;
  closed_at: Date | string | null;
  close_reason: string | null;
}

export const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function toStoredMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    conversationKey: r.conversation_key,
    role: r.role,
    text: r.text,
    createdAt: iso(r.created_at) as string,
    seq: Number(r.seq),
    language: r.language,
    citations: r.citations,
  };
}
