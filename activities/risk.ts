import { ApplicationFailure, Context } from '@temporalio/activity';
import { detectLanguage } from '../analysis/text/language.js';
import { sentimentScore, sentimentTrend } from '../analysis/text/sentiment.js';
import { loadRiskDetector } from '../analysis/risk/load.js';
import type { RiskDetector, Severity } from '../analysis/risk/types.js';
import type { Channel, Language } from '../core/domain.js';
import { metrics } from '../core/metrics.js';
import type { RiskEscalation, Store } from '../core/store/index.js';
import { PermanentAlertError, type RiskAlert, type RiskAlertSink, type RiskReminder } from '../bots/risk/alert-sink.js';
import {
  riskEscalationWorkflowId,
  severityRank,
  type AlertSeverity,
  type RiskEscalationStatus,
  type RiskHandoff,
  type RiskOccurrence,
} from '../workflows/risk-types.js';

/** Which verdicts escalate and which hand the conversation to a person (RISK_ESCALATE_SEVERITY, RISK_HOLD_SEVERITY). */
export interface RiskPolicy {
  escalateAt: AlertSeverity;
  holdAt: AlertSeverity;
  /** Queue for conversations the risk detector takes away from the bot (the senior queue). */
  handoffQueue: string;
}

/** Opens or updates the escalation of one conversation + category (Temporal signalWithStart behind it). */
export interface RiskEscalationStarter {
  signal(target: { conversationKey: string; channel: Channel; customerId: string; category: string }, occurrence: RiskOccurrence): Promise<void>;
}

/** What "Take over" does to the conversation: hand it to the person who pressed the button. */
export interface RiskConversationControl {
  takeOver(input: RiskTakeOverInput): Promise<Record<string, unknown>>;
}

export interface RiskServices {
  detector: RiskDetector;
  policy: RiskPolicy;
  escalations?: RiskEscalationStarter;
  sinks: RiskAlertSink[];
  control?: RiskConversationControl;
}

export interface AssessRiskInput {
  conversationKey: string;
  channel: Channel;
  customerId: string;
  /** Database id of the stored customer message. */
  messageId: string;
  text: string;
  language?: Language;
  /** Categories found earlier in this conversation, one entry per earlier hit (workflow state). */
  priorCategories: string[];
  /** Sentiment scores of the conversation's earlier customer messages, oldest first (workflow state). */
  sentimentHistory: number[];
}

export interface RiskAssessment {
  categories: string[];
  severity: Severity;
  evidence: string[];
  /** This message's sentiment score, for the workflow's history. */
  sentiment: number;
  /** The stored risk event (severity other than none). */
  eventId?: string;
  /** Escalation workflows opened or updated for this message. */
  escalated: string[];
  /** Set when the verdict takes the conversation away from the bot. */
  handoff?: RiskHandoff;
  context: { valueTier: string | null; sentimentTrend: number; priorHits: number };
}

export interface RiskTakeOverInput {
  escalationId: string;
  conversationKey: string;
  category: string;
  agent: { id: string; name: string };
  queue: string;
  priority: number;
}

const EXCERPT_CHARS = 280;
const excerptOf = (text: string) => (text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text);
const atLeast = (s: Severity, floor: AlertSeverity) => severityRank(s) >= severityRank(floor);

/**
 * Risk on every customer message, before the bot answers: classify with the conversation's context, store the
 * verdict, open or bump the escalation of each category, and tell the workflow whether the bot must step back.
 * Every step is idempotent per message, so a retried activity changes nothing twice.
 */
export function createRiskActivities(deps: { store: Store; risk: RiskServices }) {
  const { store, risk } = deps;
  const log = () => Context.current().log;

  async function alertFor(escalation: RiskEscalation): Promise<RiskAlert> {
    const conversation = await store.getConversation(escalation.conversationKey);
    if (!conversation) throw ApplicationFailure.nonRetryable(`unknown conversation ${escalation.conversationKey}`);
    const tier = (await store.customerTier(conversation.customerId)) ?? undefined;
    return { escalation, conversation: { key: conversation.key, channel: conversation.channel, customerId: conversation.customerId, tier } };
  }

  async function escalation(id: string): Promise<RiskEscalation> {
    const found = await store.getRiskEscalation(id);
    if (!found) throw ApplicationFailure.nonRetryable(`unknown risk escalation ${id}`);
    return found;
  }

  return {
    async assessRisk(input: AssessRiskInput): Promise<RiskAssessment> {
      const sentiment = sentimentScore(input.text);
      const trend = sentimentTrend([...input.sentimentHistory, sentiment]);
      const valueTier = await store.customerTier(input.customerId);
      const verdict = risk.detector.classify(input.text, {
        priorCategories: input.priorCategories,
        valueTier: valueTier ?? undefined,
        sentimentTrend: trend,
      });
      const context = { valueTier, sentimentTrend: trend, priorHits: input.priorCategories.length };
      const base = { categories: verdict.categories, severity: verdict.severity, evidence: verdict.evidence, sentiment, context, escalated: [] as string[] };
      if (verdict.severity === 'none') return base;
      const severity = verdict.severity;

      const { event, inserted } = await store.recordRiskEvent({
        conversationKey: input.conversationKey,
        messageId: input.messageId,
        customerId: input.customerId,
        categories: verdict.categories,
        severity,
        score: verdict.signals.severity.score,
        evidence: verdict.evidence,
        context: { ...context, priorCategories: input.priorCategories },
        excerpt: excerptOf(input.text),
      });
      // Counted once per message; open escalations are a gauge the metrics endpoint reads from the database.
      if (inserted) metrics.riskEvents.inc({ severity });

      const handoff: RiskHandoff | undefined = atLeast(severity, risk.policy.holdAt)
        ? { queue: risk.policy.handoffQueue, priority: severityRank(severity) - severityRank(risk.policy.holdAt) + 1 }
        : undefined;
      const escalated: string[] = [];
      if (atLeast(severity, risk.policy.escalateAt)) {
        if (!risk.escalations) {
          log().warn('risk escalation is not configured; the event is stored only', { conversation: input.conversationKey });
        } else {
          const occurrence: RiskOccurrence = {
            eventId: event.id,
            messageId: input.messageId,
            severity,
            categories: verdict.categories,
            evidence: verdict.evidence,
            excerpt: event.excerpt,
            language: input.language ?? detectLanguage(input.text),
            at: event.createdAt,
            ...(handoff ? { handoff } : {}),
          };
          for (const category of verdict.categories) {
            await risk.escalations.signal(
              { conversationKey: input.conversationKey, channel: input.channel, customerId: input.customerId, category },
              occurrence,
            );
            escalated.push(riskEscalationWorkflowId(input.conversationKey, category));
          }
        }
      }
      return { ...base, eventId: event.id, escalated, ...(handoff ? { handoff } : {}) };
    },

    async openRiskEscalation(input: { escalationId: string; workflowId: string; conversationKey: string; category: string; occurrence: RiskOccurrence }): Promise<void> {
      const o = input.occurrence;
      // Looked up first so a retried activity does not count the escalation twice.
      const isNew = (await store.getRiskEscalation(input.escalationId)) === null;
      await store.openRiskEscalation({
        id: input.escalationId,
        workflowId: input.workflowId,
        conversationKey: input.conversationKey,
        category: input.category,
        severity: o.severity,
        eventId: o.eventId,
        excerpt: o.excerpt,
        evidence: o.evidence,
        handoffQueue: o.handoff?.queue,
      });
      if (o.handoff) {
        await store.recordRiskEscalationEvent({ escalationId: input.escalationId, kind: 'handoff', actor: 'system', detail: { ...o.handoff }, dedupeKey: `${input.escalationId}:handoff` });
      }
      if (isNew) {
        metrics.riskEscalations.inc({ category: input.category, severity: o.severity });
      }
    },

    async recordRiskRepeat(input: { escalationId: string; occurrence: RiskOccurrence }): Promise<void> {
      const o = input.occurrence;
      await store.recordRiskRepeat({ escalationId: input.escalationId, eventId: o.eventId, severity: o.severity, excerpt: o.excerpt, evidence: o.evidence, handoffQueue: o.handoff?.queue });
      if (o.handoff) {
        await store.recordRiskEscalationEvent({ escalationId: input.escalationId, kind: 'handoff', actor: 'system', detail: { ...o.handoff }, dedupeKey: `${input.escalationId}:handoff` });
      }
    },

    /** Shows, updates or re-alerts the escalation in every sink; transient sink failures are retried by Temporal. */
    async publishRiskAlert(input: { escalationId: string; kind: 'alert' | 'update' | 'realert'; reminder?: RiskReminder }): Promise<void> {
      const esc = await escalation(input.escalationId);
      const dedupeKey = input.kind === 'alert' ? `${esc.id}:alert` : input.kind === 'realert' ? `${esc.id}:realert:${input.reminder?.step}` : undefined;
      if (input.kind === 'realert' && dedupeKey && (await store.listRiskEscalationEvents(esc.id)).some((e) => e.kind === 'realert' && e.detail.step === input.reminder?.step)) {
        return; // sent before this retry
      }
      const alert = await alertFor(esc);
      const failed: string[] = [];
      for (const sink of risk.sinks) {
        const ref = esc.alertRefs[sink.name] as Record<string, string> | undefined;
        try {
          if (input.kind === 'alert') {
            if (!ref) await store.setRiskAlertRef(esc.id, sink.name, await sink.post(alert));
          } else if (input.kind === 'update') {
            if (ref) await sink.update(ref, alert);
          } else if (input.reminder) {
            await sink.remind(ref, alert, input.reminder);
          }
        } catch (err) {
          if (!(err instanceof PermanentAlertError)) throw err;
          failed.push(sink.name);
          await store.recordRiskEscalationEvent({
            escalationId: esc.id, kind: 'alert_failed', actor: 'system', detail: { sink: sink.name, alert: input.kind, error: err.message },
            dedupeKey: `${esc.id}:failed:${sink.name}:${input.kind}:${input.reminder?.step ?? esc.updatedAt}`,
          });
          log().error('risk alert could not be delivered', { sink: sink.name, escalation: esc.id, error: err.message });
        }
      }
      if (input.kind === 'alert') {
        await store.recordRiskEscalationEvent({ escalationId: esc.id, kind: 'alert', actor: 'system', detail: { sinks: risk.sinks.map((s) => s.name), failed }, dedupeKey });
      } else if (input.kind === 'realert' && input.reminder) {
        await store.recordRiskEscalationEvent({ escalationId: esc.id, kind: 'realert', actor: 'system', detail: { ...input.reminder, failed }, dedupeKey });
      }
    },

    /** An acknowledgement, take-over, false positive or quiet resolution, with who did it; false positives feed tuning. */
    async recordRiskAction(input: {
      escalationId: string;
      status: Exclude<RiskEscalationStatus, 'open'>;
      actor: string;
      actorName?: string;
      via: string;
      note?: string;
    }): Promise<void> {
      const actor = input.actorName && input.actorName !== input.actor ? `${input.actorName} (${input.actor})` : input.actor;
      await store.setRiskEscalationStatus({ escalationId: input.escalationId, status: input.status, actor, note: input.note, detail: { via: input.via } });
      if (input.status === 'false_positive') await store.recordRiskFeedback({ escalationId: input.escalationId, actor, note: input.note });
    },

    async riskTakeOver(input: RiskTakeOverInput): Promise<void> {
      const outcome = risk.control ? await risk.control.takeOver(input) : { handedOff: false, reason: 'no conversation control configured' };
      await store.recordRiskEscalationEvent({
        escalationId: input.escalationId, kind: 'handoff', actor: input.agent.name, detail: { queue: input.queue, takeOver: true, ...outcome },
        dedupeKey: `${input.escalationId}:takeover-handoff`,
      });
    },
  };
}

/** Detection and storage without escalation (no Temporal client, no sinks): for tools and tests that only classify. */
export function storeOnlyRiskServices(): RiskServices {
  return {
    detector: loadRiskDetector(),
    policy: { escalateAt: 'medium', holdAt: 'high', handoffQueue: 'senior' },
    sinks: [],
  };
}
