import type { Queryable } from '../db/types.js';

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface Delivery {
  idempotencyKey: string;
  conversationKey: string;
  channel: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
}

interface DeliveryRow {
  idempotency_key: string;
  conversation_key: string;
  channel: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  message_id: string | null;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  idempotencyKey: r.idempotency_key,
  conversationKey: r.conversation_key,
  channel: r.channel,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  messageId: r.message_id,
});

/** Claims an attempt for a delivery; the returned status tells the caller whether it was already sent or failed. */
export async function beginDelivery(q: Queryable, key: string, conversationKey: string, channel: string): Promise<Delivery> {
  const r = await q.query<DeliveryRow>(
    `INSERT INTO deliveries (idempotency_key, conversation_key, channel, attempts) VALUES ($1, $2, $3, 1)
     ON CONFLICT (idempotency_key) DO UPDATE SET
       attempts = deliveries.attempts + CASE WHEN deliveries.status = 'pending' THEN 1 ELSE 0 END, updated_at = now()
     RETURNING *`,
    [key, conversationKey, channel],
  );
  return toDelivery(r.rows[0] as DeliveryRow);
}

export async function completeDelivery(q: Queryable, key: string, messageId: string | null): Promise<void> {
  await q.query(
    `UPDATE deliveries SET status = 'sent', message_id = COALESCE($2, message_id), sent_at = now(), updated_at = now(), last_error = NULL
     WHERE idempotency_key = $1`,
    [key, messageId],
  );
}

export async function recordDeliveryError(q: Queryable, key: string, error: string, permanent: boolean): Promise<void> {
  await q.query(
    `UPDATE deliveries SET last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END, updated_at = now()
     WHERE idempotency_key = $1 AND status <> 'sent'`,
    [key, error.slice(0, 2000), permanent],
  );
}

export async function getDelivery(q: Queryable, key: string): Promise<Delivery | null> {
  const r = await q.query<DeliveryRow>('SELECT * FROM deliveries WHERE idempotency_key = $1', [key]);
  return r.rows[0] ? toDelivery(r.rows[0]) : null;
}

export async function listDeliveries(q: Queryable, conversationKey: string): Promise<Delivery[]> {
  const r = await q.query<DeliveryRow>('SELECT * FROM deliveries WHERE conversation_key = $1 ORDER BY created_at', [conversationKey]);
  return r.rows.map(toDelivery);
}
