import { randomUUID } from 'node:crypto';
import type { Citation, Language, Role } from '../domain.js';
import type { Db, Queryable } from '../db/types.js';
import { iso } from './rows.js';

/**
 * QA data (migration 0005): closes, scores and findings, disputes, posts to the QA channel, and the audit log.
 * Functions that change several rows take a `Db` and run one transaction; the rest take any `Queryable` so a
 * service can combine them inside its own transaction.
 */

// ---------------------------------------------------------------------------------------------- closes

export interface QaClose {
  conversationKey: string;
  closeSeq: number;
  runId: string;
  reason: string;
  closedAt: string;
  fromMessageSeq: number;
  toMessageSeq: number;
  skippedReason: string | null;
}

interface CloseRow {
  conversation_key: string;
  close_seq: number;
  run_id: string;
  reason: string;
  closed_at: Date | string;
  from_message_seq: string | number;
  to_message_seq: string | number;
  skipped_reason: string | null;
}

const toClose = (r: CloseRow): QaClose => ({
  conversationKey: r.conversation_key,
  closeSeq: Number(r.close_seq),
  runId: r.run_id,
  reason: r.reason,
  closedAt: iso(r.closed_at) as string,
  fromMessageSeq: Number(r.from_message_seq),
  toMessageSeq: Number(r.to_message_seq),
  skippedReason: r.skipped_reason,
});

/**
 * Records a close of a conversation once per conversation workflow run (`runId`): the next close number, and the range of
 * messages since the previous close. Called again for the same run, returns the close recorded the first time.
 */
export async function recordClose(
  q: Queryable,
  c: { conversationKey: string; runId: string; reason: string; closedAt?: string },
): Promise<QaClose> {
  const ins = await q.query<CloseRow>(
    `INSERT INTO qa_closes (conversation_key, close_seq, run_id, reason, closed_at, from_message_seq, to_message_seq)
     SELECT $1, COALESCE(MAX(p.close_seq), 0) + 1, $2, $3, COALESCE($4::timestamptz, now()), COALESCE(MAX(p.to_message_seq), 0),
            GREATEST(COALESCE(MAX(p.to_message_seq), 0),
                     (SELECT COALESCE(MAX(m.seq), 0) FROM messages m WHERE m.conversation_key = $1))
       FROM qa_closes p WHERE p.conversation_key = $1
     ON CONFLICT (run_id) DO NOTHING RETURNING *`,
    [c.conversationKey, c.runId, c.reason, c.closedAt ?? null],
  );
  const row = ins.rows[0] ?? (await q.query<CloseRow>('SELECT * FROM qa_closes WHERE run_id = $1', [c.runId])).rows[0];
  if (!row) throw new Error(`close of ${c.conversationKey} (run ${c.runId}) vanished after insert`);
  return toClose(row);
}

export async function getClose(q: Queryable, conversationKey: string, closeSeq: number): Promise<QaClose | null> {
  const r = await q.query<CloseRow>('SELECT * FROM qa_closes WHERE conversation_key = $1 AND close_seq = $2', [conversationKey, closeSeq]);
  return r.rows[0] ? toClose(r.rows[0]) : null;
}

export async function markCloseSkipped(q: Queryable, conversationKey: string, closeSeq: number, reason: string): Promise<void> {
  await q.query('UPDATE qa_closes SET skipped_reason = $3 WHERE conversation_key = $1 AND close_seq = $2', [conversationKey, closeSeq, reason]);
}

/** A stored message as QA reads it: with its meta (agent id and name for agent messages). */
export interface CloseMessage {
  id: string;
  seq: number;
  role: Role;
  text: string;
  createdAt: string;
  language: Language | null;
  citations: Citation[] | null;
  agentId: string | null;
  agentName: string | null;
}

interface CloseMessageRow {
  id: string;
  seq: string | number;
  role: Role;
  text: string;
  created_at: Date | string;
  language: Language | null;
  citations: Citation[] | null;
  meta: Record<string, unknown> | null;
  relay_agent_id?: string | null;
  relay_agent_name?: string | null;
}

const textOf = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Agent identity from message meta, in the shapes the desks write: agentId/agentName, or agent: {id, name}. */
function agentFromMeta(meta: Record<string, unknown> | null): { id: string | null; name: string | null } {
  if (!meta) return { id: null, name: null };
  const nested = typeof meta.agent === 'object' && meta.agent !== null ? (meta.agent as Record<string, unknown>) : {};
  return {
    id: textOf(meta.agentId) ?? textOf(meta.agent_id) ?? textOf(nested.id) ?? textOf(meta.agent),
    name: textOf(meta.agentName) ?? textOf(meta.agent_name) ?? textOf(nested.name),
  };
}

/**
 * Messages of one close, in order. Agent messages relayed by the handoff desks are attributed from the message
 * meta, else from the relay record (handoff_agent_messages, when that table exists) keyed by the delivery key.
 */
export async function listCloseMessages(q: Queryable, close: Pick<QaClose, 'conversationKey' | 'fromMessageSeq' | 'toMessageSeq'>): Promise<CloseMessage[]> {
  const relays = (await q.query<{ t: string | null }>("SELECT to_regclass('handoff_agent_messages')::text AS t")).rows[0]?.t;
  const join = relays
    ? `LEFT JOIN LATERAL (SELECT h.agent_id AS relay_agent_id, h.agent_name AS relay_agent_name
         FROM handoff_agent_messages h WHERE h.delivery_key = m.channel_message_id LIMIT 1) h ON m.role = 'agent'`
    : '';
  const r = await q.query<CloseMessageRow>(
    `SELECT m.id, m.seq, m.role, m.text, m.created_at, m.language, m.citations, m.meta${relays ? ', h.relay_agent_id, h.relay_agent_name' : ''}
       FROM messages m ${join}
      WHERE m.conversation_key = $1 AND m.seq > $2 AND m.seq <= $3 ORDER BY m.seq`,
    [close.conversationKey, close.fromMessageSeq, close.toMessageSeq],
  );
  return r.rows.map((row) => {
    const fromMeta = row.role === 'agent' ? agentFromMeta(row.meta) : { id: null, name: null };
    return {
      id: row.id,
      seq: Number(row.seq),
      role: row.role,
      text: row.text,
      createdAt: iso(row.created_at) as string,
      language: row.language,
      citations: row.citations,
      agentId: fromMeta.id ?? row.relay_agent_id ?? null,
      agentName: fromMeta.name ?? row.relay_agent_name ?? null,
    };
  });
}

// ---------------------------------------------------------------------------------------------- results and findings

export type QaFindingStatus = 'pass' | 'fail' | 'not_applicable' | 'unjudged';
export type QaSeverity = 'critical' | 'major' | 'minor';

export interface QaFindingRecord {
  id: string;
  resultId: string;
  position: number;
  criterion: string;
  name: string;
  kind: 'rule' | 'judged';
  status: QaFindingStatus;
  passed: boolean | null;
  originalStatus: QaFindingStatus;
  overturned: boolean;
  severity: QaSeverity;
  weight: number;
  evidenceIndexes: number[];
  evidenceMessageIds: string[];
  actors: string[];
  note: string;
}

export interface QaResultRecord {
  id: string;
  conversationKey: string;
  closeSeq: number;
  workflowId: string;
  channel: string;
  language: Language;
  scorecardName: string;
  scorecardVersion: string;
  passScore: number;
  score: number;
  passed: boolean;
  originalScore: number;
  originalPassed: boolean;
  judged: boolean;
  unjudgedCount: number;
  criticalFailures: string[];
  messageCount: number;
  actors: string[];
  agentNames: Record<string, string>;
  closedAt: string;
  scoredAt: string;
  updatedAt: string;
}

export type NewQaFinding = Omit<QaFindingRecord, 'id' | 'resultId' | 'position' | 'originalStatus' | 'overturned'>;

export type NewQaResult = Omit<QaResultRecord, 'id' | 'originalScore' | 'originalPassed' | 'scoredAt' | 'updatedAt'> & {
  findings: NewQaFinding[];
};

interface ResultRow {
  id: string;
  conversation_key: string;
  close_seq: number;
  workflow_id: string;
  channel: string;
  language: Language;
  scorecard_name: string;
  scorecard_version: string;
  pass_score: number;
  score: number;
  passed: boolean;
  original_score: number;
  original_passed: boolean;
  judged: boolean;
  unjudged_count: number;
  critical_failures: string[];
  message_count: number;
  actors: string[];
  agent_names: Record<string, string>;
  closed_at: Date | string;
  scored_at: Date | string;
  updated_at: Date | string;
}

interface FindingRow {
  id: string;
  result_id: string;
  position: number;
  criterion: string;
  name: string;
  kind: 'rule' | 'judged';
  status: QaFindingStatus;
  passed: boolean | null;
  original_status: QaFindingStatus;
  overturned: boolean;
  severity: QaSeverity;
  weight: number;
  evidence_indexes: number[];
  evidence_message_ids: string[];
  actors: string[];
  note: string;
}

const toResult = (r: ResultRow): QaResultRecord => ({
  id: r.id,
  conversationKey: r.conversation_key,
  closeSeq: Number(r.close_seq),
  workflowId: r.workflow_id,
  channel: r.channel,
  language: r.language,
  scorecardName: r.scorecard_name,
  scorecardVersion: r.scorecard_version,
  passScore: Number(r.pass_score),
  score: Number(r.score),
  passed: r.passed,
  originalScore: Number(r.original_score),
  originalPassed: r.original_passed,
  judged: r.judged,
  unjudgedCount: Number(r.unjudged_count),
  criticalFailures: r.critical_failures,
  messageCount: Number(r.message_count),
  actors: r.actors,
  agentNames: r.agent_names,
  closedAt: iso(r.closed_at) as string,
  scoredAt: iso(r.scored_at) as string,
  updatedAt: iso(r.updated_at) as string,
});

const toFinding = (r: FindingRow): QaFindingRecord => ({
  id: r.id,
  resultId: r.result_id,
  position: Number(r.position),
  criterion: r.criterion,
  name: r.name,
  kind: r.kind,
  status: r.status,
  passed: r.passed,
  originalStatus: r.original_status,
  overturned: r.overturned,
  severity: r.severity,
  weight: Number(r.weight),
  evidenceIndexes: r.evidence_indexes.map(Number),
  evidenceMessageIds: r.evidence_message_ids,
  actors: r.actors,
  note: r.note,
});

/** What the audit log keeps of a result: the verdict, not the findings (they have entries of their own). */
export const auditedResult = (r: QaResultRecord) => ({
  conversationKey: r.conversationKey,
  closeSeq: r.closeSeq,
  score: r.score,
  passed: r.passed,
  criticalFailures: r.criticalFailures,
  scorecardVersion: r.scorecardVersion,
  judged: r.judged,
});

/**
 * Stores a result with its findings, once per close: a second call for the same close (a retried activity, the QA
 * workflow started twice) returns the stored result with `created: false` and changes nothing.
 */
export async function saveResult(db: Db, input: NewQaResult, actor = 'system:qa'): Promise<{ result: QaResultRecord; created: boolean }> {
  return db.transaction(async (tx) => {
    const id = randomUUID();
    const ins = await tx.query<ResultRow>(
      `INSERT INTO qa_results (id, conversation_key, close_seq, workflow_id, channel, language, scorecard_name, scorecard_version,
         pass_score, score, passed, original_score, original_passed, judged, unjudged_count, critical_failures, message_count,
         actors, agent_names, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (conversation_key, close_seq) DO NOTHING RETURNING *`,
      [id, input.conversationKey, input.closeSeq, input.workflowId, input.channel, input.language, input.scorecardName,
        input.scorecardVersion, input.passScore, input.score, input.passed, input.judged, input.unjudgedCount,
        input.criticalFailures, input.messageCount, input.actors, JSON.stringify(input.agentNames), input.closedAt],
    );
    const created = ins.rows[0];
    if (!created) {
      const existing = await getResultByClose(tx, input.conversationKey, input.closeSeq);
      if (!existing) throw new Error(`result of ${input.conversationKey}#${input.closeSeq} vanished after insert`);
      return { result: existing, created: false };
    }
    if (input.findings.length > 0) {
      // One statement for all findings: a scorecard has a dozen or more, and a round trip each is most of the cost.
      const COLUMNS = 14;
      const params: unknown[] = [];
      const rows = input.findings.map((f, position) => {
        params.push(randomUUID(), id, position, f.criterion, f.name, f.kind, f.status, f.passed, f.severity, f.weight,
          f.evidenceIndexes, f.evidenceMessageIds, f.actors, f.note);
        const at = (n: number) => `$${position * COLUMNS + n}`;
        return `(${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, ${at(5)}, ${at(6)}, ${at(7)}, ${at(8)}, ${at(7)}, ${at(9)}, ${at(10)}, ` +
          `${at(11)}::integer[], ${at(12)}::text[], ${at(13)}::text[], ${at(14)})`;
      });
      await tx.query(
        `INSERT INTO qa_findings (id, result_id, position, criterion, name, kind, status, passed, original_status, severity, weight,
           evidence_indexes, evidence_message_ids, actors, note)
         VALUES ${rows.join(', ')}`,
        params,
      );
    }
    const result = toResult(created);
    await appendAudit(tx, { actor, action: 'qa.result.created', subject: `qa_result:${id}`, after: auditedResult(result) });
    return { result, created: true };
  });
}

export async function getResult(q: Queryable, id: string): Promise<QaResultRecord | null> {
  const r = await q.query<ResultRow>('SELECT * FROM qa_results WHERE id = $1', [id]);
  return r.rows[0] ? toResult(r.rows[0]) : null;
}

export async function getResultByClose(q: Queryable, conversationKey: string, closeSeq: number): Promise<QaResultRecord | null> {
  const r = await q.query<ResultRow>('SELECT * FROM qa_results WHERE conversation_key = $1 AND close_seq = $2', [conversationKey, closeSeq]);
  return r.rows[0] ? toResult(r.rows[0]) : null;
}

export async function listResultsForConversation(q: Queryable, conversationKey: string): Promise<QaResultRecord[]> {
  const r = await q.query<ResultRow>('SELECT * FROM qa_results WHERE conversation_key = $1 ORDER BY close_seq', [conversationKey]);
  return r.rows.map(toResult);
}

export async function listFindings(q: Queryable, resultId: string): Promise<QaFindingRecord[]> {
  const r = await q.query<FindingRow>('SELECT * FROM qa_findings WHERE result_id = $1 ORDER BY position', [resultId]);
  return r.rows.map(toFinding);
}

export async function getFinding(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<QaFindingRecord | null> {
  const r = await q.query<FindingRow>(`SELECT * FROM qa_findings WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ? toFinding(r.rows[0]) : null;
}

/** An accepted dispute: the failed finding counts as passed from now on (original_status keeps the scorer's verdict). */
export async function overturnFinding(q: Queryable, id: string): Promise<QaFindingRecord> {
  const r = await q.query<FindingRow>(
    `UPDATE qa_findings SET status = 'pass', passed = true, overturned = true WHERE id = $1 RETURNING *`,
    [id],
  );
  if (!r.rows[0]) throw new Error(`finding ${id} not found`);
  return toFinding(r.rows[0]);
}

export async function setResultVerdict(
  q: Queryable,
  id: string,
  v: { score: number; passed: boolean; criticalFailures: string[] },
): Promise<QaResultRecord> {
  const r = await q.query<ResultRow>(
    `UPDATE qa_results SET score = $2, passed = $3, critical_failures = $4, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, v.score, v.passed, v.criticalFailures],
  );
  if (!r.rows[0]) throw new Error(`result ${id} not found`);
  return toResult(r.rows[0]);
}

// ---------------------------------------------------------------------------------------------- disputes

export type QaDisputeStatus = 'open' | 'accepted' | 'rejected';

export interface QaDispute {
  id: string;
  findingId: string;
  agentId: string;
  agentName: string | null;
  reason: string;
  status: QaDisputeStatus;
  decidedBy: string | null;
  decisionNote: string | null;
  decidedAt: string | null;
  createdAt: string;
}

interface DisputeRow {
  id: string;
  finding_id: string;
  agent_id: string;
  agent_name: string | null;
  reason: string;
  status: QaDisputeStatus;
  decided_by: string | null;
  decision_note: string | null;
  decided_at: Date | string | null;
  created_at: Date | string;
}

const toDispute = (r: DisputeRow): QaDispute => ({
  id: r.id,
  findingId: r.finding_id,
  agentId: r.agent_id,
  agentName: r.agent_name,
  reason: r.reason,
  status: r.status,
  decidedBy: r.decided_by,
  decisionNote: r.decision_note,
  decidedAt: iso(r.decided_at),
  createdAt: iso(r.created_at) as string,
});

/** Opens a dispute; null when the finding has been disputed already (one dispute per finding). */
export async function insertDispute(
  q: Queryable,
  d: { findingId: string; agentId: string; agentName?: string | null; reason: string },
): Promise<QaDispute | null> {
  const r = await q.query<DisputeRow>(
    `INSERT INTO qa_disputes (id, finding_id, agent_id, agent_name, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (finding_id) DO NOTHING RETURNING *`,
    [randomUUID(), d.findingId, d.agentId, d.agentName ?? null, d.reason],
  );
  return r.rows[0] ? toDispute(r.rows[0]) : null;
}

export async function getDispute(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<QaDispute | null> {
  const r = await q.query<DisputeRow>(`SELECT * FROM qa_disputes WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ? toDispute(r.rows[0]) : null;
}

export async function getDisputeForFinding(q: Queryable, findingId: string): Promise<QaDispute | null> {
  const r = await q.query<DisputeRow>('SELECT * FROM qa_disputes WHERE finding_id = $1', [findingId]);
  return r.rows[0] ? toDispute(r.rows[0]) : null;
}

export async function decideDisputeRow(
  q: Queryable,
  id: string,
  d: { status: 'accepted' | 'rejected'; decidedBy: string; note?: string | null },
): Promise<QaDispute | null> {
  const r = await q.query<DisputeRow>(
    `UPDATE qa_disputes SET status = $2, decided_by = $3, decision_note = $4, decided_at = now()
      WHERE id = $1 AND status = 'open' RETURNING *`,
    [id, d.status, d.decidedBy, d.note ?? null],
  );
  return r.rows[0] ? toDispute(r.rows[0]) : null;
}

export async function listDisputes(q: Queryable, f: { status?: QaDisputeStatus; limit?: number } = {}): Promise<QaDispute[]> {
  const r = await q.query<DisputeRow>(
    'SELECT * FROM qa_disputes WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id LIMIT $2',
    [f.status ?? null, f.limit ?? 200],
  );
  return r.rows.map(toDispute);
}

// ---------------------------------------------------------------------------------------------- audit log

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
  at: string;
}

export async function appendAudit(
  q: Queryable,
  e: { actor: string; action: string; subject: string; before?: unknown; after?: unknown },
): Promise<void> {
  await q.query(
    'INSERT INTO audit_log (actor, action, subject, before, after) VALUES ($1, $2, $3, $4, $5)',
    [e.actor, e.action, e.subject, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after)],
  );
}

/** Entries oldest first; `subjects` narrows to those subjects (e.g. a finding and its result). */
export async function listAudit(q: Queryable, f: { subjects?: string[]; limit?: number } = {}): Promise<AuditEntry[]> {
  const r = await q.query<{ id: string | number; actor: string; action: string; subject: string; before: unknown; after: unknown; at: Date | string }>(
    'SELECT * FROM audit_log WHERE ($1::text[] IS NULL OR subject = ANY($1::text[])) ORDER BY id LIMIT $2',
    [f.subjects ?? null, f.limit ?? 1000],
  );
  return r.rows.map((row) => ({ ...row, id: Number(row.id), at: iso(row.at) as string }));
}

// ---------------------------------------------------------------------------------------------- posts to the QA channel

export type QaAlertKind = 'alert' | 'dispute' | 'decision' | 'report';
export type QaAlertStatus = 'pending' | 'sent' | 'failed';

export interface QaAlertRecord {
  key: string;
  kind: QaAlertKind;
  resultId: string | null;
  sink: string;
  status: QaAlertStatus;
  payload: unknown;
  ref: Record<string, unknown> | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface AlertRow {
  key: string;
  kind: QaAlertKind;
  result_id: string | null;
  sink: string;
  status: QaAlertStatus;
  payload: unknown;
  ref: Record<string, unknown> | null;
  last_error: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
}

const toAlert = (r: AlertRow): QaAlertRecord => ({
  key: r.key,
  kind: r.kind,
  resultId: r.result_id,
  sink: r.sink,
  status: r.status,
  payload: r.payload,
  ref: r.ref,
  lastError: r.last_error,
  createdAt: iso(r.created_at) as string,
  sentAt: iso(r.sent_at),
});

/** Claims a post by key before it is sent, so retries post once; returns the row as stored (maybe already sent). */
export async function claimAlert(
  q: Queryable,
  a: { key: string; kind: QaAlertKind; resultId?: string | null; sink: string; payload: unknown },
): Promise<QaAlertRecord> {
  await q.query(
    `INSERT INTO qa_alerts (key, kind, result_id, sink, payload) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING`,
    [a.key, a.kind, a.resultId ?? null, a.sink, JSON.stringify(a.payload)],
  );
  const r = await q.query<AlertRow>('SELECT * FROM qa_alerts WHERE key = $1', [a.key]);
  return toAlert(r.rows[0] as AlertRow);
}

export async function markAlertSent(q: Queryable, key: string, ref: Record<string, unknown>): Promise<void> {
  await q.query(`UPDATE qa_alerts SET status = 'sent', ref = $2, last_error = NULL, sent_at = now() WHERE key = $1`, [key, JSON.stringify(ref)]);
}

export async function markAlertFailed(q: Queryable, key: string, error: string): Promise<void> {
  await q.query(`UPDATE qa_alerts SET status = 'failed', last_error = $2 WHERE key = $1 AND status <> 'sent'`, [key, error]);
}

export async function getAlert(q: Queryable, key: string): Promise<QaAlertRecord | null> {
  const r = await q.query<AlertRow>('SELECT * FROM qa_alerts WHERE key = $1', [key]);
  return r.rows[0] ? toAlert(r.rows[0]) : null;
}

/** Newest first: the local QA inbox. */
export async function listAlerts(q: Queryable, f: { kind?: QaAlertKind; resultId?: string; limit?: number } = {}): Promise<QaAlertRecord[]> {
  const r = await q.query<AlertRow>(
    `SELECT * FROM qa_alerts WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR result_id = $2)
      ORDER BY created_at DESC, key LIMIT $3`,
    [f.kind ?? null, f.resultId ?? null, f.limit ?? 100],
  );
  return r.rows.map(toAlert);
}

// ---------------------------------------------------------------------------------------------- coverage and report figures

export interface Period {
  since: string;
  until: string;
}

export interface QaCoverage {
  closed: number;
  skipped: number;
  scored: number;
  /** Scored over scorable closes (closed − skipped), 1 when there was nothing to score. */
  rate: number;
  missing: { conversationKey: string; closeSeq: number; closedAt: string }[];
}

/** Closes in the period against results for them: QA of 100% of conversations is measured, not assumed. */
export async function coverage(q: Queryable, p: Period, missingLimit = 50): Promise<QaCoverage> {
  const counts = (await q.query<{ closed: number; skipped: number; scored: number }>(
    `SELECT count(*)::int AS closed,
            count(*) FILTER (WHERE c.skipped_reason IS NOT NULL AND r.id IS NULL)::int AS skipped,
            count(r.id)::int AS scored
       FROM qa_closes c LEFT JOIN qa_results r ON r.conversation_key = c.conversation_key AND r.close_seq = c.close_seq
      WHERE c.closed_at >= $1 AND c.closed_at < $2`,
    [p.since, p.until],
  )).rows[0] ?? { closed: 0, skipped: 0, scored: 0 };
  const missing = await q.query<{ conversation_key: string; close_seq: number; closed_at: Date | string }>(
    `SELECT c.conversation_key, c.close_seq, c.closed_at
       FROM qa_closes c LEFT JOIN qa_results r ON r.conversation_key = c.conversation_key AND r.close_seq = c.close_seq
      WHERE c.closed_at >= $1 AND c.closed_at < $2 AND r.id IS NULL AND c.skipped_reason IS NULL
      ORDER BY c.closed_at LIMIT $3`,
    [p.since, p.until, missingLimit],
  );
  const scorable = counts.closed - counts.skipped;
  return {
    closed: counts.closed,
    skipped: counts.skipped,
    scored: counts.scored,
    rate: scorable === 0 ? 1 : counts.scored / scorable,
    missing: missing.rows.map((m) => ({ conversationKey: m.conversation_key, closeSeq: Number(m.close_seq), closedAt: iso(m.closed_at) as string })),
  };
}

export interface QaTotals {
  conversations: number;
  averageScore: number | null;
  passed: number;
  criticalFailures: number;
}

export async function resultTotals(q: Queryable, p: Period): Promise<QaTotals> {
  const r = (await q.query<{ conversations: number; average_score: number | null; passed: number; critical: number }>(
    `SELECT count(*)::int AS conversations, avg(score)::float8 AS average_score, count(*) FILTER (WHERE passed)::int AS passed,
            count(*) FILTER (WHERE cardinality(critical_failures) > 0)::int AS critical
       FROM qa_results WHERE closed_at >= $1 AND closed_at < $2`,
    [p.since, p.until],
  )).rows[0];
  return {
    conversations: r?.conversations ?? 0,
    averageScore: r?.average_score ?? null,
    passed: r?.passed ?? 0,
    criticalFailures: r?.critical ?? 0,
  };
}

export interface ActorFigures {
  /** 'bot' or 'agent:<id>'. */
  actor: string;
  name: string | null;
  conversations: number;
  averageScore: number;
  passed: number;
  failedFindings: number;
  criticalFindings: number;
}

/** Per bot and per agent: the conversations they spoke in, and the failed findings attributed to them. */
export async function actorFigures(q: Queryable, p: Period): Promise<ActorFigures[]> {
  const convs = await q.query<{ actor: string; conversations: number; average_score: number; passed: number }>(
    `SELECT a.actor, count(*)::int AS conversations, avg(r.score)::float8 AS average_score, count(*) FILTER (WHERE r.passed)::int AS passed
       FROM qa_results r CROSS JOIN LATERAL unnest(r.actors) AS a(actor)
      WHERE r.closed_at >= $1 AND r.closed_at < $2 GROUP BY a.actor`,
    [p.since, p.until],
  );
  const fails = await q.query<{ actor: string; failed: number; critical: number }>(
    `SELECT a.actor, count(*)::int AS failed, count(*) FILTER (WHERE f.severity = 'critical')::int AS critical
       FROM qa_findings f JOIN qa_results r ON r.id = f.result_id CROSS JOIN LATERAL unnest(f.actors) AS a(actor)
      WHERE r.closed_at >= $1 AND r.closed_at < $2 AND f.status = 'fail' GROUP BY a.actor`,
    [p.since, p.until],
  );
  const names = await q.query<{ id: string; name: string }>(
    `SELECT DISTINCT ON (n.key) n.key AS id, n.value AS name
       FROM qa_results r CROSS JOIN LATERAL jsonb_each_text(r.agent_names) AS n
      WHERE r.closed_at >= $1 AND r.closed_at < $2 ORDER BY n.key, r.closed_at DESC`,
    [p.since, p.until],
  );
  const nameOf = new Map(names.rows.map((n) => [`agent:${n.id}`, n.name]));
  const failOf = new Map(fails.rows.map((f) => [f.actor, f]));
  return convs.rows.map((c) => ({
    actor: c.actor,
    name: nameOf.get(c.actor) ?? null,
    conversations: c.conversations,
    averageScore: c.average_score,
    passed: c.passed,
    failedFindings: failOf.get(c.actor)?.failed ?? 0,
    criticalFindings: failOf.get(c.actor)?.critical ?? 0,
  }));
}

export interface CriterionFigures {
  criterion: string;
  name: string;
  severity: QaSeverity;
  /** Findings with a verdict (pass or fail). */
  evaluated: number;
  failed: number;
  overturned: number;
  /** The latest failure's note and conversation, to show what the failures look like. */
  example: { note: string; conversationKey: string; resultId: string } | null;
}

/** Per criterion, in scorecard order (the findings' position). */
export async function criterionFigures(q: Queryable, p: Period): Promise<CriterionFigures[]> {
  const stats = await q.query<{ criterion: string; name: string; severity: QaSeverity; evaluated: number; failed: number; overturned: number }>(
    `SELECT f.criterion, min(f.name) AS name, min(f.severity) AS severity,
            count(*) FILTER (WHERE f.passed IS NOT NULL)::int AS evaluated,
            count(*) FILTER (WHERE f.status = 'fail')::int AS failed,
            count(*) FILTER (WHERE f.overturned)::int AS overturned
       FROM qa_findings f JOIN qa_results r ON r.id = f.result_id
      WHERE r.closed_at >= $1 AND r.closed_at < $2 GROUP BY f.criterion ORDER BY min(f.position), f.criterion`,
    [p.since, p.until],
  );
  const examples = await q.query<{ criterion: string; note: string; conversation_key: string; result_id: string }>(
    `SELECT DISTINCT ON (f.criterion) f.criterion, f.note, r.conversation_key, r.id AS result_id
       FROM qa_findings f JOIN qa_results r ON r.id = f.result_id
      WHERE r.closed_at >= $1 AND r.closed_at < $2 AND f.status = 'fail' ORDER BY f.criterion, r.closed_at DESC, r.id`,
    [p.since, p.until],
  );
  const exampleOf = new Map(examples.rows.map((e) => [e.criterion, { note: e.note, conversationKey: e.conversation_key, resultId: e.result_id }]));
  return stats.rows.map((s) => ({ ...s, example: exampleOf.get(s.criterion) ?? null }));
}

export interface DisputeFigures {
  opened: number;
  accepted: number;
  rejected: number;
  open: number;
}

export async function disputeFigures(q: Queryable, p: Period): Promise<DisputeFigures> {
  const r = (await q.query<DisputeFigures>(
    `SELECT count(*)::int AS opened, count(*) FILTER (WHERE status = 'accepted')::int AS accepted,
            count(*) FILTER (WHERE status = 'rejected')::int AS rejected, count(*) FILTER (WHERE status = 'open')::int AS open
       FROM qa_disputes WHERE created_at >= $1 AND created_at < $2`,
    [p.since, p.until],
  )).rows[0];
  return r ?? { opened: 0, accepted: 0, rejected: 0, open: 0 };
}
