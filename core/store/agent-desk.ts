import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

/** True the first time a Slack delivery (event id, trigger id) is recorded; retries of it get false. */
export async function isSlackEventProcessed(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM slack_events WHERE id = $1', [id]);
  return r.rows.length > 0;
}

export async function markSlackEventProcessed(q: Queryable, id: string, kind: string): Promise<boolean> {
  const r = await q.query('INSERT INTO slack_events (id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id', [id, kind]);
  return r.rows.length > 0;
}

/** The reference of a desk post made under this idempotency key, if it was made. */
export async function getDeskPost<T>(q: Queryable, key: string): Promise<T | null> {
  const r = await q.query<{ ref: T }>('SELECT ref FROM desk_posts WHERE key = $1', [key]);
  return r.rows[0]?.ref ?? null;
}

export async function saveDeskPost(q: Queryable, key: string, ref: unknown): Promise<void> {
  await q.query('INSERT INTO desk_posts (key, ref) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, JSON.stringify(ref ?? {})]);
}

export interface InboxCardRow<Card> {
  handoffId: string;
  card: Card;
  alertLevel: 'queue' | 'supervisor' | null;
  updatedAt: string;
}

export async function upsertInboxCard(q: Queryable, handoffId: string, card: unknown): Promise<void> {
  await q.query(
    `INSERT INTO inbox_cards (handoff_id, card) VALUES ($1, $2)
     ON CONFLICT (handoff_id) DO UPDATE SET card = EXCLUDED.card, updated_at = now(),
       alert_level = CASE WHEN EXCLUDED.card->>'status' = 'waiting' THEN inbox_cards.alert_level ELSE NULL END`,
    [handoffId, JSON.stringify(card)],
  );
}

/** Raises the card's alert level; never lowers it (a supervisor alert stays one until the card changes status). */
export async function raiseInboxAlert(q: Queryable, handoffId: string, level: 'queue' | 'supervisor'): Promise<void> {
  await q.query(
    `UPDATE inbox_cards SET alert_level = CASE WHEN alert_level = 'supervisor' THEN alert_level ELSE $2 END, updated_at = now()
     WHERE handoff_id = $1`,
    [handoffId, level],
  );
}

export async function listInboxCards<Card>(q: Queryable, handoffIds?: string[]): Promise<InboxCardRow<Card>[]> {
  const r = await q.query<{ handoff_id: string; card: Card; alert_level: 'queue' | 'supervisor' | null; updated_at: Date | string }>(
    'SELECT * FROM inbox_cards WHERE ($1::text[] IS NULL OR handoff_id = ANY($1::text[])) ORDER BY updated_at DESC',
    [handoffIds ?? null],
  );
  return r.rows.map((row) => ({ handoffId: row.handoff_id, card: row.card, alertLevel: row.alert_level, updatedAt: iso(row.updated_at) as string }));
}

export interface InboxThreadEntry {
  id: number;
  handoffId: string;
  kind: string;
  author: string | null;
  text: string;
  payload: Record<string, unknown> | null;
  createdAt: string;
}

export async function appendInboxThread(
  q: Queryable,
  e: { handoffId: string; kind: string; author?: string | null; text: string; payload?: Record<string, unknown> },
): Promise<number> {
  const r = await q.query<{ id: string | number }>(
    'INSERT INTO inbox_thread (handoff_id, kind, author, text, payload) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [e.handoffId, e.kind, e.author ?? null, e.text, e.payload ? JSON.stringify(e.payload) : null],
  );
  return Number(r.rows[0]?.id);
}

export async function listInboxThread(q: Queryable, handoffId: string, afterId = 0): Promise<InboxThreadEntry[]> {
  const r = await q.query<{ id: string | number; handoff_id: string; kind: string; author: string | null; text: string; payload: Record<string, unknown> | null; created_at: Date | string }>(
    'SELECT * FROM inbox_thread WHERE handoff_id = $1 AND id > $2 ORDER BY id',
    [handoffId, afterId],
  );
  return r.rows.map((row) => ({
    id: Number(row.id),
    handoffId: row.handoff_id,
    kind: row.kind,
    author: row.author,
    text: row.text,
    payload: row.payload,
    createdAt: iso(row.created_at) as string,
  }));
}
