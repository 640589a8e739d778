import type { Channel, ConversationStatus } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';
import { tableExists } from './metrics.js';

/** What the console's conversation search can filter on; each filter needs the table of the feature it reads. */
export interface ConversationFilter {
  /** Customer id, a channel identity, or part of the display name. */
  customer?: string;
  channel?: Channel;
  status?: ConversationStatus;
  intent?: string;
  /** Conversations with a risky message of at least this severity ('any' = any severity). */
  risk?: 'any' | 'low' | 'medium' | 'high' | 'critical';
  qaMin?: number;
  qaMax?: number;
  /** Conversations active at some point in [from, to). */
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export const FILTER_TABLES = { intent: 'turn_outcomes', risk: 'risk_events', qa: 'qa_results' } as const;
export type OptionalFilter = keyof typeof FILTER_TABLES;

export class FilterUnavailableError extends Error {
  constructor(readonly filter: OptionalFilter) {
    super(`the ${filter} filter needs table ${FILTER_TABLES[filter]}, which this database does not have yet`);
  }
}

export interface ConversationSummary {
  key: string;
  channel: Channel;
  externalId: string;
  customerId: string;
  customerName: string | null;
  status: ConversationStatus;
  startedAt: string;
  lastMessageAt: string;
  closedAt: string | null;
  messages: number;
  lastCustomerText: string | null;
}

const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/** Which optional filters this database supports now. */
export async function availableFilters(q: Queryable): Promise<Record<OptionalFilter, boolean>> {
  const entries = await Promise.all(
    (Object.keys(FILTER_TABLES) as OptionalFilter[]).map(async (f) => [f, await tableExists(q, FILTER_TABLES[f])] as const),
  );
  return Object.fromEntries(entries) as Record<OptionalFilter, boolean>;
}

/** Newest activity first. Filters are combined with AND; a filter on a missing feature table is refused, not ignored. */
export async function searchConversations(q: Queryable, f: ConversationFilter): Promise<{ conversations: ConversationSummary[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const require = async (filter: OptionalFilter) => {
    if (!(await tableExists(q, FILTER_TABLES[filter]))) throw new FilterUnavailableError(filter);
  };

  if (f.customer) {
    const exact = param(f.customer);
    const like = param(`%${f.customer.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(c.customer_id = ${exact} OR cu.display_name ILIKE ${like}
      OR EXISTS (SELECT 1 FROM channel_identities ci WHERE ci.customer_id = c.customer_id AND (ci.external_id = ${exact} OR ci.display_name ILIKE ${like})))`);
  }
  if (f.channel) where.push(`c.channel = ${param(f.channel)}`);
  if (f.status) where.push(`c.status = ${param(f.status)}`);
  if (f.from) where.push(`c.last_message_at >= ${param(f.from.toISOString())}`);
  if (f.to) where.push(`c.started_at < ${param(f.to.toISOString())}`);
  if (f.intent) {
    await require('intent');
    where.push(`EXISTS (SELECT 1 FROM turn_outcomes t WHERE t.conversation_key = c.key AND t.intent = ${param(f.intent)})`);
  }
  if (f.risk) {
    await require('risk');
    const allowed = f.risk === 'any' ? SEVERITIES : SEVERITIES.slice(SEVERITIES.indexOf(f.risk));
    where.push(`EXISTS (SELECT 1 FROM risk_events r WHERE r.conversation_key = c.key AND r.severity = ANY(${param(allowed)}::text[]))`);
  }
  if (f.qaMin !== undefined || f.qaMax !== undefined) {
    await require('qa');
    where.push(`EXISTS (SELECT 1 FROM qa_results qr WHERE qr.conversation_key = c.key
      AND qr.score >= ${param(f.qaMin ?? 0)} AND qr.score <= ${param(f.qaMax ?? 100)})`);
  }

  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const from = `FROM conversations c JOIN customers cu ON cu.id = c.customer_id ${clause}`;
  const filterParams = [...params];
  const [rows, count] = await Promise.all([
    q.query<{
      key: string; channel: Channel; external_id: string; customer_id: string; display_name: string | null; status: ConversationStatus;
      started_at: Date | string; last_message_at: Date | string; closed_at: Date | string | null; messages: string; last_text: string | null;
    }>(
      `SELECT c.key, c.channel, c.external_id, c.customer_id, cu.display_name, c.status, c.started_at, c.last_message_at, c.closed_at,
              (SELECT count(*) FROM messages m WHERE m.conversation_key = c.key) AS messages,
              (SELECT m.text FROM messages m WHERE m.conversation_key = c.key AND m.role = 'customer' ORDER BY m.seq DESC LIMIT 1) AS last_text
       ${from} ORDER BY c.last_message_at DESC, c.key LIMIT ${param(limit)} OFFSET ${param(Math.max(f.offset ?? 0, 0))}`,
      params,
    ),
    q.query<{ n: string }>(`SELECT count(*) AS n ${from}`, filterParams),
  ]);
  return {
    total: Number(count.rows[0]?.n ?? 0),
    conversations: rows.rows.map((r) => ({
      key: r.key,
      channel: r.channel,
      externalId: r.external_id,
      customerId: r.customer_id,
      customerName: r.display_name,
      status: r.status,
      startedAt: iso(r.started_at) as string,
      lastMessageAt: iso(r.last_message_at) as string,
      closedAt: iso(r.closed_at),
      messages: Number(r.messages),
      lastCustomerText: r.last_text,
    })),
  };
}
