import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/types.js';
import { iso } from './rows.js';

/** Severity of a stored risk event or escalation ('none' results are never stored). */
export type StoredRiskSeverity = 'low' | 'medium' | 'high' | 'critical';
export type RiskEscalationStatus = 'open' | 'acknowledged' | 'taken_over' | 'false_positive' | 'resolved';
export type RiskEscalationEventKind =
  | 'opened' | 'alert' | 'repeat' | 'realert' | 'handoff' | 'acknowledged' | 'taken_over' | 'false_positive' | 'resolved' | 'alert_failed';

/** Statuses in which an escalation still takes repeats (the partial unique index covers exactly these). */
export const ACTIVE_ESCALATION_STATUSES: readonly RiskEscalationStatus[] = ['open', 'acknowledged', 'taken_over'];

export interface NewRiskEvent {
  conversationKey: string;
  messageId: string;
  customerId?: string;
  categories: string[];
  severity: StoredRiskSeverity;
  score: number;
  evidence: string[];
  context: Record<string, unknown>;
  excerpt: string;
}

export interface RiskEvent extends NewRiskEvent {
  id: string;
  createdAt: string;
}

export interface RiskEscalation {
  id: string;
  workflowId: string;
  conversationKey: string;
  category: string;
  status: RiskEscalationStatus;
  severity: StoredRiskSeverity;
  occurrences: number;
  eventIds: string[];
  excerpt: string;
  evidence: string[];
  handoffQueue: string | null;
  alertRefs: Record<string, unknown>;
  remindersSent: number;
  openedAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  takenOverBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
}

export interface RiskEscalationEvent {
  id: number;
  escalationId: string;
  kind: RiskEscalationEventKind;
  actor: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
}

export interface RiskFeedback {
  id: number;
  escalationId: string;
  eventId: string;
  category: string;
  text: string;
  categories: string[];
  severity: StoredRiskSeverity;
  evidence: string[];
  actor: string;
  note: string | null;
  createdAt: string;
}

interface RiskEventRow {
  id: string;
  conversation_key: string;
  message_id: string;
  customer_id: string | null;
  categories: string[];
  severity: StoredRiskSeverity;
  score: number | string;
  evidence: string[];
  context: Record<string, unknown>;
  excerpt: string;
  created_at: Date | string;
}

interface RiskEscalationRow {
  id: string;
  workflow_id: string;
  conversation_key: string;
  category: string;
  status: RiskEscalationStatus;
  severity: StoredRiskSeverity;
  occurrences: number;
  event_ids: string[];
  excerpt: string;
  evidence: string[];
  handoff_queue: string | null;
  alert_refs: Record<string, unknown>;
  reminders_sent: number;
  opened_at: Date | string;
  updated_at: Date | string;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  taken_over_by: string | null;
  closed_at: Date | string | null;
  closed_by: string | null;
  close_reason: string | null;
}

interface RiskEscalationEventRow {
  id: number | string;
  escalation_id: string;
  kind: RiskEscalationEventKind;
  actor: string | null;
  detail: Record<string, unknown>;
  created_at: Date | string;
}

interface RiskFeedbackRow {
  id: number | string;
  escalation_id: string;
  event_id: string;
  category: string;
  text: string;
  categories: string[];
  severity: StoredRiskSeverity;
  evidence: string[];
  actor: string;
  note: string | null;
  created_at: Date | string;
}

const toEvent = (r: RiskEventRow): RiskEvent => ({
  id: r.id,
  conversationKey: r.conversation_key,
  messageId: r.message_id,
  customerId: r.customer_id ?? undefined,
  categories: r.categories,
  severity: r.severity,
  score: Number(r.score),
  evidence: r.evidence,
  context: r.context,
  excerpt: r.excerpt,
  createdAt: iso(r.created_at) as string,
});

const toEscalation = (r: RiskEscalationRow): RiskEscalation => ({
  id: r.id,
  workflowId: r.workflow_id,
  conversationKey: r.conversation_key,
  category: r.category,
  status: r.status,
  severity: r.severity,
  occurrences: r.occurrences,
  eventIds: r.event_ids,
  excerpt: r.excerpt,
  evidence: r.evidence,
  handoffQueue: r.handoff_queue,
  alertRefs: r.alert_refs,
  remindersSent: r.reminders_sent,
  openedAt: iso(r.opened_at) as string,
  updatedAt: iso(r.updated_at) as string,
  acknowledgedAt: iso(r.acknowledged_at),
  acknowledgedBy: r.acknowledged_by,
  takenOverBy: r.taken_over_by,
  closedAt: iso(r.closed_at),
  closedBy: r.closed_by,
  closeReason: r.close_reason,
});

const toEscalationEvent = (r: RiskEscalationEventRow): RiskEscalationEvent => ({
  id: Number(r.id),
  escalationId: r.escalation_id,
  kind: r.kind,
  actor: r.actor,
  detail: r.detail,
  createdAt: iso(r.created_at) as string,
});

const toFeedback = (r: RiskFeedbackRow): RiskFeedback => ({
  id: Number(r.id),
  escalationId: r.escalation_id,
  eventId: r.event_id,
  category: r.category,
  text: r.text,
  categories: r.categories,
  severity: r.severity,
  evidence: r.evidence,
  actor: r.actor,
  note: r.note,
  createdAt: iso(r.created_at) as string,
});

// Severity order in SQL, so a repeat only ever raises an escalation's severity.
const SEVERITY_RANK = `array_position(ARRAY['low','medium','high','critical']::text[], `;

/** The customer's value tier (customers.tier), or null for an unknown customer. */
export async function customerTier(q: Queryable, customerId: string): Promise<string | null> {
  const r = await q.query<{ tier: string }>('SELECT tier FROM customers WHERE id = $1', [customerId]);
  return r.rows[0]?.tier ?? null;
}

/** Stores a risky message's verdict once per message; a retried activity gets the first row back. */
export async function recordRiskEvent(q: Queryable, e: NewRiskEvent): Promise<{ event: RiskEvent; inserted: boolean }> {
  const ins = await q.query<RiskEventRow>(
    `INSERT INTO risk_events (id, conversation_key, message_id, customer_id, categories, severity, score, evidence, context, excerpt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (message_id) DO NOTHING RETURNING *`,
    [randomUUID(), e.conversationKey, e.messageId, e.customerId ?? null, e.categories, e.severity, e.score,
      JSON.stringify(e.evidence), JSON.stringify(e.context), e.excerpt],
  );
  if (ins.rows[0]) return { event: toEvent(ins.rows[0]), inserted: true };
  const found = await q.query<RiskEventRow>('SELECT * FROM risk_events WHERE message_id = $1', [e.messageId]);
  if (!found.rows[0]) throw new Error(`risk event for message ${e.messageId} vanished after insert`);
  return { event: toEvent(found.rows[0]), inserted: false };
}

export async function listRiskEvents(q: Queryable, conversationKey: string): Promise<RiskEvent[]> {
  const r = await q.query<RiskEventRow>('SELECT * FROM risk_events WHERE conversation_key = $1 ORDER BY created_at, id', [conversationKey]);
  return r.rows.map(toEvent);
}

export interface NewRiskEscalation {
  id: string;
  workflowId: string;
  conversationKey: string;
  category: string;
  severity: StoredRiskSeverity;
  eventId: string;
  excerpt: string;
  evidence: string[];
  handoffQueue?: string;
}

/**
 * Creates the escalation row its workflow owns (idempotent on id). Temporal runs one workflow per conversation and
 * category, so an active row left by a run that was terminated by hand is stale: it is closed as superseded rather
 * than blocking the partial unique index forever.
 */
export async function openRiskEscalation(db: Db, e: NewRiskEscalation): Promise<RiskEscalation> {
  return db.transaction(async (tx) => {
    const existing = await tx.query<RiskEscalationRow>('SELECT * FROM risk_escalations WHERE id = $1', [e.id]);
    if (existing.rows[0]) return toEscalation(existing.rows[0]);
    await tx.query(
      `UPDATE risk_escalations SET status = 'resolved', closed_at = now(), closed_by = 'system', close_reason = 'superseded', updated_at = now()
       WHERE conversation_key = $1 AND category = $2 AND status IN ('open', 'acknowledged', 'taken_over')`,
      [e.conversationKey, e.category],
    );
    const r = await tx.query<RiskEscalationRow>(
      `INSERT INTO risk_escalations (id, workflow_id, conversation_key, category, status, severity, event_ids, excerpt, evidence, handoff_queue)
       VALUES ($1, $2, $3, $4, 'open', $5, ARRAY[$6]::text[], $7, $8, $9) RETURNING *`,
      [e.id, e.workflowId, e.conversationKey, e.category, e.severity, e.eventId, e.excerpt, JSON.stringify(e.evidence), e.handoffQueue ?? null],
    );
    await insertEscalationEvent(tx, { escalationId: e.id, kind: 'opened', detail: { eventId: e.eventId, severity: e.severity }, dedupeKey: `${e.id}:opened` });
    return toEscalation(r.rows[0] as RiskEscalationRow);
  });
}

export interface RiskRepeat {
  escalationId: string;
  eventId: string;
  severity: StoredRiskSeverity;
  excerpt: string;
  evidence: string[];
  handoffQueue?: string;
}

/** Another message with the same category: count it once per event, keep the highest severity and the latest excerpt. */
export async function recordRiskRepeat(db: Db, r: RiskRepeat): Promise<RiskEscalation> {
  return db.transaction(async (tx) => {
    const res = await tx.query<RiskEscalationRow>(
      `UPDATE risk_escalations SET
         occurrences = occurrences + 1,
         event_ids = array_append(event_ids, $2),
         severity = CASE WHEN ${SEVERITY_RANK}$3::text) > ${SEVERITY_RANK}severity) THEN $3 ELSE severity END,
         excerpt = $4, evidence = $5, handoff_queue = COALESCE(handoff_queue, $6), updated_at = now()
       WHERE id = $1 AND NOT ($2 = ANY(event_ids)) RETURNING *`,
      [r.escalationId, r.eventId, r.severity, r.excerpt, JSON.stringify(r.evidence), r.handoffQueue ?? null],
    );
    if (res.rows[0]) {
      await insertEscalationEvent(tx, {
        escalationId: r.escalationId, kind: 'repeat', detail: { eventId: r.eventId, severity: r.severity, occurrences: res.rows[0].occurrences },
        dedupeKey: `${r.escalationId}:repeat:${r.eventId}`,
      });
      return toEscalation(res.rows[0]);
    }
    const found = await getRiskEscalation(tx, r.escalationId);
    if (!found) throw new Error(`unknown risk escalation ${r.escalationId}`);
    return found;
  });
}

/** Remembers where one alert sink shows the escalation (e.g. `slack: {channel, ts}`). */
export async function setRiskAlertRef(q: Queryable, escalationId: string, sink: string, ref: unknown): Promise<void> {
  await q.query(
    `UPDATE risk_escalations SET alert_refs = alert_refs || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1`,
    [escalationId, sink, JSON.stringify(ref)],
  );
}

export interface NewEscalationEvent {
  escalationId: string;
  kind: RiskEscalationEventKind;
  actor?: string;
  detail?: Record<string, unknown>;
  /** Set by activities so a retry records the event once. */
  dedupeKey?: string;
}

async function insertEscalationEvent(q: Queryable, e: NewEscalationEvent): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO risk_escalation_events (escalation_id, kind, actor, detail, dedupe_key) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [e.escalationId, e.kind, e.actor ?? null, JSON.stringify(e.detail ?? {}), e.dedupeKey ?? null],
  );
  return r.rows.length > 0;
}

/** Appends to the audit trail; false when the dedupe key was recorded before. */
export async function recordRiskEscalationEvent(q: Queryable, e: NewEscalationEvent): Promise<boolean> {
  const inserted = await insertEscalationEvent(q, e);
  if (inserted && e.kind === 'realert') {
    await q.query('UPDATE risk_escalations SET reminders_sent = reminders_sent + 1, updated_at = now() WHERE id = $1', [e.escalationId]);
  }
  return inserted;
}

export interface RiskStatusChange {
  escalationId: string;
  status: Exclude<RiskEscalationStatus, 'open'>;
  actor: string;
  note?: string;
  detail?: Record<string, unknown>;
}

/** Moves the escalation to a new status and records who did it, once per escalation and status. */
export async function setRiskEscalationStatus(db: Db, c: RiskStatusChange): Promise<RiskEscalation> {
  return db.transaction(async (tx) => {
    const closing = c.status === 'false_positive' || c.status === 'resolved';
    const inserted = await insertEscalationEvent(tx, {
      escalationId: c.escalationId, kind: c.status, actor: c.actor, detail: { ...c.detail, ...(c.note ? { note: c.note } : {}) },
      dedupeKey: `${c.escalationId}:${c.status}`,
    });
    if (inserted) {
      await tx.query(
        `UPDATE risk_escalations SET status = $2, updated_at = now(),
           acknowledged_at = CASE WHEN acknowledged_at IS NULL AND $2 IN ('acknowledged', 'taken_over') THEN now() ELSE acknowledged_at END,
           acknowledged_by = CASE WHEN acknowledged_by IS NULL AND $2 IN ('acknowledged', 'taken_over') THEN $3 ELSE acknowledged_by END,
           taken_over_by = CASE WHEN $2 = 'taken_over' THEN $3 ELSE taken_over_by END,
           closed_at = CASE WHEN $4 THEN now() ELSE closed_at END,
           closed_by = CASE WHEN $4 THEN $3 ELSE closed_by END,
           close_reason = CASE WHEN $4 THEN $5 ELSE close_reason END
         WHERE id = $1`,
        [c.escalationId, c.status, c.actor, closing, c.note ?? c.status],
      );
    }
    const found = await getRiskEscalation(tx, c.escalationId);
    if (!found) throw new Error(`unknown risk escalation ${c.escalationId}`);
    return found;
  });
}

/** One feedback row per message the escalation covered, with the message text for rule tuning. */
export async function recordRiskFeedback(q: Queryable, f: { escalationId: string; actor: string; note?: string }): Promise<number> {
  const r = await q.query(
    `INSERT INTO risk_feedback (escalation_id, event_id, category, text, categories, severity, evidence, actor, note)
     SELECT x.id, e.id, x.category, m.text, e.categories, e.severity, e.evidence, $2, $3
       FROM risk_escalations x
       JOIN risk_events e ON e.id = ANY(x.event_ids)
       JOIN messages m ON m.id = e.message_id
      WHERE x.id = $1
     ON CONFLICT (escalation_id, event_id) DO NOTHING RETURNING id`,
    [f.escalationId, f.actor, f.note ?? null],
  );
  return r.rows.length;
}

export async function listRiskFeedback(q: Queryable, opts: { since?: Date; limit?: number } = {}): Promise<RiskFeedback[]> {
  const r = await q.query<RiskFeedbackRow>(
    'SELECT * FROM risk_feedback WHERE created_at >= $1 ORDER BY created_at, id LIMIT $2',
    [(opts.since ?? new Date(0)).toISOString(), opts.limit ?? 10_000],
  );
  return r.rows.map(toFeedback);
}

export async function getRiskEscalation(q: Queryable, id: string): Promise<RiskEscalation | null> {
  const r = await q.query<RiskEscalationRow>('SELECT * FROM risk_escalations WHERE id = $1', [id]);
  return r.rows[0] ? toEscalation(r.rows[0]) : null;
}

export async function listRiskEscalations(
  q: Queryable,
  opts: { status?: RiskEscalationStatus | 'active'; conversationKey?: string; limit?: number } = {},
): Promise<RiskEscalation[]> {
  const statuses = opts.status === 'active' ? [...ACTIVE_ESCALATION_STATUSES] : opts.status ? [opts.status] : null;
  const r = await q.query<RiskEscalationRow>(
    `SELECT * FROM risk_escalations
      WHERE ($1::text[] IS NULL OR status = ANY($1)) AND ($2::text IS NULL OR conversation_key = $2)
      ORDER BY opened_at DESC, id LIMIT $3`,
    [statuses, opts.conversationKey ?? null, opts.limit ?? 200],
  );
  return r.rows.map(toEscalation);
}

export async function listRiskEscalationEvents(q: Queryable, escalationId: string): Promise<RiskEscalationEvent[]> {
  const r = await q.query<RiskEscalationEventRow>('SELECT * FROM risk_escalation_events WHERE escalation_id = $1 ORDER BY id', [escalationId]);
  return r.rows.map(toEscalationEvent);
}
