import type { Severity } from '../analysis/risk/types.js';
import type { Channel, Language } from '../core/domain.js';

/** A stored risk verdict's severity ('none' never escalates). */
export type AlertSeverity = Exclude<Severity, 'none'>;

/** One rung of the acknowledgement ladder: re-alert `role` (mentioning its Slack ids) this long after the first alert. */
export interface RiskLadderStep {
  afterMs: number;
  role: string;
  mentions: string[];
}

/** Everything timing-related comes in as input, so tests run the ladder with second-long values. */
export interface RiskEscalationSettings {
  ladder: RiskLadderStep[];
  /** An acknowledged or taken-over escalation closes after this long without a repeat. */
  quietMs: number;
  /** Queue a take-over hands the conversation to. */
  handoffQueue: string;
}

/** Hand the conversation to a person: what a high/critical verdict asks of the conversation workflow. */
export interface RiskHandoff {
  queue: string;
  /** Higher is served first (the handoff queue's ordering). */
  priority: number;
}

/** One risky customer message for one category, sent to that category's escalation (signalWithStart). */
export interface RiskOccurrence {
  eventId: string;
  messageId: string;
  severity: AlertSeverity;
  /** All categories found in the message (the escalation is about one of them). */
  categories: string[];
  evidence: string[];
  excerpt: string;
  language: Language;
  at: string;
  /** Set when this message put the conversation in the senior queue. */
  handoff?: RiskHandoff;
}

export type RiskEscalationStatus = 'open' | 'acknowledged' | 'taken_over' | 'false_positive' | 'resolved';

export interface RiskEscalationView {
  workflowId: string;
  escalationId?: string;
  conversationKey: string;
  category: string;
  status: RiskEscalationStatus;
  severity?: AlertSeverity;
  occurrences: number;
  /** Ladder rungs already re-alerted. */
  remindersSent: number;
  /** When the next re-alert fires while nobody has acknowledged (undefined once acknowledged or the ladder is done). */
  nextReminderAt?: string;
  acknowledgedBy?: string;
  takenOverBy?: string;
  closedBy?: string;
  handoff?: RiskHandoff;
}

/** Carried over continue-as-new: the escalation continues, it is not re-opened. */
export interface RiskEscalationCarry {
  view: RiskEscalationView;
  openedAtMs: number;
  seenEvents: string[];
  pending: RiskOccurrence[];
}

export interface RiskEscalationInput {
  conversationKey: string;
  channel: Channel;
  customerId: string;
  category: string;
  settings: RiskEscalationSettings;
  carry?: RiskEscalationCarry;
  /** Occurrences that arrived after the previous escalation of this id closed: they open a fresh one. */
  backlog?: RiskOccurrence[];
}

/** Who pressed a button (Slack user id, console login) and from where. */
export interface RiskActionRequest {
  /** The escalation the button belongs to: a stale button of a closed escalation must not act on a newer one. */
  escalationId: string;
  actor: string;
  actorName?: string;
  via: 'slack' | 'inbox' | 'console' | 'api';
  note?: string;
}

export type RiskAction = 'acknowledge' | 'take_over' | 'false_positive';

/** Workflow id of the escalation of one conversation and category: at most one runs at a time. */
export const riskEscalationWorkflowId = (conversationKey: string, category: string): string => `risk:${conversationKey}:${category}`;

const SEVERITY_ORDER: AlertSeverity[] = ['low', 'medium', 'high', 'critical'];
export const severityRank = (s: Severity): number => SEVERITY_ORDER.indexOf(s as AlertSeverity);
export const maxSeverity = (a: AlertSeverity | undefined, b: AlertSeverity): AlertSeverity =>
  a === undefined || severityRank(b) > severityRank(a) ? b : a;
