import type { Channel, Citation, ConversationStatus, Role } from '../domain.js';
import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';
import { tableExists } from './metrics.js';

/** One feature's rows about a conversation, or why there are none to show. */
export type Section<T> = { available: true; rows: T[] } | { available: false; reason: string };

export interface ConversationDetail {
  conversation: {
    key: string; channel: Channel; externalId: string; status: ConversationStatus; language: string | null;
    startedAt: string; lastMessageAt: string; closedAt: string | null; closeReason: string | null;
  };
  customer: { id: string; displayName: string | null; tier: string; language: string | null };
  messages: { id: string; seq: number; role: Role; text: string; createdAt: string; citations: Citation[] | null }[];
  deliveries: { idempotencyKey: string; status: string; attempts: number; lastError: string | null; sentAt: string | null }[];
  intents: Section<{ messageId: string; intent: string | null; confidence: number | null; handoffSuggested: boolean }>;
  handoffs: Section<{ id: string; workflowId: string; status: string; queue: string; reason: string; agentName: string | null; createdAt: string; claimedAt: string | null; endedAt: string | null }>;
  riskEvents: Section<{ id: string; messageId: string; categories: string[]; severity: string; score: number; excerpt: string; createdAt: string }>;
  riskEscalations: Section<{ id: string; workflowId: string; category: string; status: string; severity: string; occurrences: number; openedAt: string; closedAt: string | null }>;
  qaResults: Section<{ id: string; workflowId: string; closeSeq: number; score: number; passed: boolean; passScore: number; closedAt: string; criticalFailures: string[] }>;
  qaFindings: Section<{
    id: string; resultId: string; criterion: string; name: string; status: string; severity: string; note: string; evidenceMessageIds: string[]; overturned: boolean;
    /** Whom the finding is about ('bot', 'agent:<id>'): an agent may dispute only their own. */
    actors: string[];
    dispute: { id: string; status: string; agentId: string; agentName: string | null; reason: string; decidedBy: string | null; note: string | null } | null;
  }>;
}

const missing = (table: string) => ({ available: false as const, reason: `needs table ${table}, which this database does not have yet` });

async function section<Row, T>(q: Queryable, table: string, sql: string, key: string, map: (r: Row) => T): Promise<Section<T>> {
  if (!(await tableExists(q, table))) return missing(table);
  const r = await q.query<Row>(sql, [key]);
  return { available: true, rows: r.rows.map(map) };
}

/** Everything the transcript page shows about one conversation; null when it does not exist. */
export async function getConversationDetail(q: Queryable, key: string): Promise<ConversationDetail | null> {
  const c = await q.query<{
    key: string; channel: Channel; external_id: string; status: ConversationStatus; language: string | null; started_at: Date | string;
    last_message_at: Date | string; closed_at: Date | string | null; close_reason: string | null;
    customer_id: string; display_name: string | null; tier: string; customer_language: string | null;
  }>(
    `SELECT c.*, cu.display_name, cu.tier, cu.language AS customer_language
     FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.key = $1`,
    [key],
  );
  const row = c.rows[0];
  if (!row) return null;

  const [messages, deliveries, intents, handoffs, riskEvents, riskEscalations, qaResults, qaFindings] = await Promise.all([
    q.query<{ id: string; seq: string; role: Role; text: string; created_at: Date | string; citations: Citation[] | null }>(
      'SELECT id, seq, role, text, created_at, citations FROM messages WHERE conversation_key = $1 ORDER BY seq LIMIT 2000', [key]),
    q.query<{ idempotency_key: string; status: string; attempts: number; last_error: string | null; sent_at: Date | string | null }>(
      'SELECT idempotency_key, status, attempts, last_error, sent_at FROM deliveries WHERE conversation_key = $1 ORDER BY created_at', [key]),
    section(q, 'turn_outcomes', 'SELECT message_id, intent, confidence, handoff_suggested FROM turn_outcomes WHERE conversation_key = $1 ORDER BY created_at', key,
      (r: { message_id: string; intent: string | null; confidence: number | null; handoff_suggested: boolean }) => ({
        messageId: r.message_id, intent: r.intent, confidence: r.confidence === null ? null : Number(r.confidence), handoffSuggested: r.handoff_suggested,
      })),
    section(q, 'handoffs', 'SELECT * FROM handoffs WHERE conversation_key = $1 ORDER BY created_at', key,
      (r: { id: string; workflow_id: string; status: string; queue: string; reason: string; agent_name: string | null; created_at: Date; claimed_at: Date | null; ended_at: Date | null }) => ({
        id: r.id, workflowId: r.workflow_id, status: r.status, queue: r.queue, reason: r.reason, agentName: r.agent_name,
        createdAt: iso(r.created_at) as string, claimedAt: iso(r.claimed_at), endedAt: iso(r.ended_at),
      })),
    section(q, 'risk_events', 'SELECT * FROM risk_events WHERE conversation_key = $1 ORDER BY created_at', key,
      (r: { id: string; message_id: string; categories: string[]; severity: string; score: number; excerpt: string; created_at: Date }) => ({
        id: r.id, messageId: r.message_id, categories: r.categories, severity: r.severity, score: Number(r.score), excerpt: r.excerpt, createdAt: iso(r.created_at) as string,
      })),
    section(q, 'risk_escalations', 'SELECT * FROM risk_escalations WHERE conversation_key = $1 ORDER BY opened_at', key,
      (r: { id: string; workflow_id: string; category: string; status: string; severity: string; occurrences: number; opened_at: Date; closed_at: Date | null }) => ({
        id: r.id, workflowId: r.workflow_id, category: r.category, status: r.status, severity: r.severity, occurrences: Number(r.occurrences),
        openedAt: iso(r.opened_at) as string, closedAt: iso(r.closed_at),
      })),
    section(q, 'qa_results', 'SELECT * FROM qa_results WHERE conversation_key = $1 ORDER BY close_seq', key,
      (r: { id: string; workflow_id: string; close_seq: number; score: number; passed: boolean; pass_score: number; closed_at: Date; critical_failures: string[] }) => ({
        id: r.id, workflowId: r.workflow_id, closeSeq: Number(r.close_seq), score: Number(r.score), passed: r.passed, passScore: Number(r.pass_score),
        closedAt: iso(r.closed_at) as string, criticalFailures: r.critical_failures,
      })),
    section(q, 'qa_findings',
      // qa_disputes comes with qa_findings (the same migration).
      `SELECT f.*, d.id AS dispute_id, d.status AS dispute_status, d.agent_id AS dispute_agent_id, d.agent_name AS dispute_agent_name,
              d.reason AS dispute_reason, d.decided_by AS dispute_decided_by, d.decision_note AS dispute_note
       FROM qa_findings f JOIN qa_results r ON r.id = f.result_id LEFT JOIN qa_disputes d ON d.finding_id = f.id
       WHERE r.conversation_key = $1 ORDER BY r.close_seq, f.position`, key,
      (r: {
        id: string; result_id: string; criterion: string; name: string; status: string; severity: string; note: string; evidence_message_ids: string[]; overturned: boolean; actors: string[];
        dispute_id: string | null; dispute_status: string; dispute_agent_id: string; dispute_agent_name: string | null; dispute_reason: string; dispute_decided_by: string | null; dispute_note: string | null;
      }) => ({
        id: r.id, resultId: r.result_id, criterion: r.criterion, name: r.name, status: r.status, severity: r.severity, note: r.note,
        evidenceMessageIds: r.evidence_message_ids, overturned: r.overturned, actors: r.actors,
        dispute: r.dispute_id === null ? null : {
          id: r.dispute_id, status: r.dispute_status, agentId: r.dispute_agent_id, agentName: r.dispute_agent_name, reason: r.dispute_reason,
          decidedBy: r.dispute_decided_by, note: r.dispute_note,
        },
      })),
  ]);

  return {
    conversation: {
      key: row.key, channel: row.channel, externalId: row.external_id, status: row.status, language: row.language,
      startedAt: iso(row.started_at) as string, lastMessageAt: iso(row.last_message_at) as string, closedAt: iso(row.closed_at), closeReason: row.close_reason,
    },
    customer: { id: row.customer_id, displayName: row.display_name, tier: row.tier, language: row.customer_language },
    messages: messages.rows.map((m) => ({ id: m.id, seq: Number(m.seq), role: m.role, text: m.text, createdAt: iso(m.created_at) as string, citations: m.citations })),
    deliveries: deliveries.rows.map((d) => ({ idempotencyKey: d.idempotency_key, status: d.status, attempts: d.attempts, lastError: d.last_error, sentAt: iso(d.sent_at) })),
    intents,
    handoffs,
    riskEvents,
    riskEscalations,
    qaResults,
    qaFindings,
  };
}
