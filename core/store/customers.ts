import { randomUUID } from 'node:crypto';
import type { Channel, Language } from '../domain.js';
import type { Queryable } from '../db/types.js';

/**
 * The customer behind a channel identity, created on first contact. Identities from several channels can later
 * be merged onto one customer (profile work), which is why the mapping lives in its own table.
 */
export async function resolveCustomer(
  q: Queryable,
  channel: Channel,
  externalId: string,
  hints: { displayName?: string; language?: Language } = {},
): Promise<string> {
  const found = await q.query<{ customer_id: string }>(
    'SELECT customer_id FROM channel_identities WHERE channel = $1 AND external_id = $2',
    [channel, externalId],
  );
  if (found.rows[0]) return found.rows[0].customer_id;
  const id = randomUUID();
  await q.query('INSERT INTO customers (id, display_name, language) VALUES ($1, $2, $3)', [id, hints.displayName ?? null, hints.language ?? null]);
  const inserted = await q.query<{ customer_id: string }>(
    `INSERT INTO channel_identities (channel, external_id, customer_id, display_name) VALUES ($1, $2, $3, $4)
     ON CONFLICT (channel, external_id) DO NOTHING RETURNING customer_id`,
    [channel, externalId, id, hints.displayName ?? null],
  );
  if (inserted.rows[0]) return id;
  // Lost a race with a concurrent first message: use the winner's customer and drop ours.
  await q.query('DELETE FROM customers WHERE id = $1', [id]);
  return resolveCustomer(q, channel, externalId, hints);
}
