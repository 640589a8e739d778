import type { Language } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

/** What the bot made of one customer turn. */
export interface TurnOutcome {
  /** The stored customer message (messages.id). */
  messageId: string;
  conversationKey: string;
  customerId: string;
  text: string;
  language: Language | null;
  intent: string | null;
  confidence: number | null;
  handoffSuggested: boolean;
  citations: number;
  /** Defaults to now; seeding and back-fills pass the message's own time. */
  createdAt?: string;
}

/** Idempotent per message: a retried answer activity overwrites its own row. */
export async function recordTurnOutcome(q: Queryable, t: TurnOutcome): Promise<void> {
  await q.query(
    `INSERT INTO turn_outcomes (message_id, conversation_key, customer_id, text, language, intent, confidence, handoff_suggested, citations, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10::timestamptz, now()))
     ON CONFLICT (message_id) DO UPDATE SET intent = EXCLUDED.intent, confidence = EXCLUDED.confidence,
       handoff_suggested = EXCLUDED.handoff_suggested, citations = EXCLUDED.citations, language = EXCLUDED.language`,
    [t.messageId, t.conversationKey, t.customerId, t.text, t.language, t.intent, t.confidence, t.handoffSuggested, t.citations, t.createdAt ?? null],
  );
}

/** The latest stored customer message of a conversation with this text (for callers that only know the text). */
export async function findCustomerMessageId(q: Queryable, conversationKey: string, text: string): Promise<string | null> {
  const r = await q.query<{ id: string }>(
    `SELECT id FROM messages WHERE conversation_key = $1 AND role = 'customer' AND text = $2 ORDER BY seq DESC LIMIT 1`,
    [conversationKey, text],
  );
  return r.rows[0]?.id ?? null;
}

/** A customer message with the bot's outcome when one was recorded. */
export interface CustomerMessageFacts {
  id: string;
  conversationKey: string;
  text: string;
  language: Language | null;
  createdAt: string;
  intent: string | null;
  /** Null when the bot never answered this message (agent conversation, or before outcomes were recorded). */
  handoffSuggested: boolean | null;
  citations: number | null;
}

export async function customerMessagesBetween(q: Queryable, from: string, to: string): Promise<CustomerMessageFacts[]> {
  const r = await q.query<{
    id: string; conversation_key: string; text: string; language: Language | null; created_at: Date | string;
    intent: string | null; handoff_suggested: boolean | null; citations: number | null;
  }>(
    `SELECT m.id, m.conversation_key, m.text, m.language, m.created_at, t.intent, t.handoff_suggested, t.citations
     FROM messages m LEFT JOIN turn_outcomes t ON t.message_id = m.id
     WHERE m.role = 'customer' AND m.created_at >= $1 AND m.created_at < $2 ORDER BY m.created_at, m.seq`,
    [from, to],
  );
  return r.rows.map((row) => ({
    id: row.id,
    conversationKey: row.conversation_key,
    text: row.text,
    language: row.language,
    createdAt: iso(row.created_at) as string,
    intent: row.intent,
    handoffSuggested: row.handoff_suggested,
    citations: row.citations === null ? null : Number(row.citations),
  }));
}

/** Intents recorded in one conversation (for the profile update when it closes). */
export async function conversationIntents(q: Queryable, conversationKey: string): Promise<string[]> {
  const r = await q.query<{ intent: string }>(
    'SELECT intent FROM turn_outcomes WHERE conversation_key = $1 AND intent IS NOT NULL ORDER BY created_at',
    [conversationKey],
  );
  return r.rows.map((row) => row.intent);
}
