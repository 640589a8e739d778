import type { Language } from '../../core/domain.js';
import type { QaReport } from './report.js';

/**
 * Where QA talks to people: the QA channel. A narrow interface of its own (the agent desk is about handoffs) with a
 * Slack implementation (`slack-sink.ts`) and a local one (`local-sink.ts`) whose posts live in the `qa_alerts`
 * table for the local inbox and console. Which one runs follows AGENT_DESK, like the handoff desk.
 */
export type QaSinkKind = 'slack' | 'local';

/** Where a post landed; a Slack post's ts is the thread later posts about the same conversation go to. */
export interface QaPostRef {
  sink: QaSinkKind;
  channel?: string;
  ts?: string;
}

export interface QaAgent {
  id: string;
  name: string | null;
}

export interface QaFailedFinding {
  findingId: string;
  criterion: string;
  name: string;
  severity: 'critical' | 'major' | 'minor';
  note: string;
  /** Transcript indexes the finding rests on. */
  evidence: number[];
}

export type QaAlertReason = 'critical_failure' | 'low_score';

/** A conversation that scored low or failed a critical criterion. */
export interface QaAlertPost {
  kind: 'alert';
  resultId: string;
  conversationKey: string;
  channel: string;
  language: Language;
  score: number;
  passScore: number;
  alertBelow: number;
  reasons: QaAlertReason[];
  criticalFailures: string[];
  failed: QaFailedFinding[];
  agents: QaAgent[];
  closedAt: string;
  /** The transcript with its findings. */
  link: string;
}

/** An agent disputes a finding: the QA lead decides. */
export interface QaDisputePost {
  kind: 'dispute';
  disputeId: string;
  resultId: string;
  conversationKey: string;
  finding: QaFailedFinding;
  agent: QaAgent;
  reason: string;
  link: string;
}

export interface QaDecisionPost {
  kind: 'decision';
  disputeId: string;
  resultId: string;
  conversationKey: string;
  finding: QaFailedFinding;
  agent: QaAgent;
  lead: QaAgent;
  accepted: boolean;
  note: string | null;
  previousScore: number;
  score: number;
  passed: boolean;
  link: string;
}

export interface QaReportPost {
  kind: 'report';
  report: QaReport;
  /** The report as plain text (the same table `kefu qa report` prints). */
  text: string;
}

export type QaPost = QaAlertPost | QaDisputePost | QaDecisionPost | QaReportPost;

export interface QaAlertSink {
  readonly kind: QaSinkKind;
  /** Posts to the QA channel, in `thread` when given (disputes and decisions go under their alert). */
  post(post: QaPost, thread?: QaPostRef): Promise<QaPostRef>;
}

/** Action ids of the buttons on QA posts; the Slack app routes them to `registerQaSlackActions`. */
export const QA_ACTIONS = {
  dispute: 'kefu_qa_dispute',
  accept: 'kefu_qa_accept',
  reject: 'kefu_qa_reject',
  disputeModal: 'kefu_qa_dispute_modal',
  decisionModal: 'kefu_qa_decision_modal',
} as const;
