import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { activityProfiles } from './profiles.js';
import {
  acknowledgeRiskUpdate,
  falsePositiveRiskUpdate,
  riskEscalationQuery,
  riskOccurrenceSignal,
  takeOverRiskUpdate,
  type RiskRefusal,
} from './risk-api.js';
import { maxSeverity, type RiskActionRequest, type RiskEscalationInput, type RiskEscalationStatus, type RiskEscalationView, type RiskOccurrence } from './risk-types.js';

// An alert that cannot be dropped: transient failures (Slack down, rate limits) retry until they go through; the
// activity itself gives up only on permanent errors (bad channel, revoked token) and records that in the audit trail.
const alerting: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

const { openRiskEscalation, recordRiskRepeat, recordRiskAction, riskTakeOver } = proxyActivities<Activities>(activityProfiles.bookkeeping);
const { publishRiskAlert } = proxyActivities<Activities>(alerting);

const TERMINAL: RiskEscalationStatus[] = ['false_positive', 'resolved'];
const isClosed = (s: RiskEscalationStatus) => TERMINAL.includes(s);

const refuse = (type: RiskRefusal, message: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};

/**
 * One risk escalation: a conversation + category (`risk:<conversation>:<category>`). The first risky message opens it
 * and alerts the risk channel; repeats bump the count and update the alert; with nobody acknowledging, each rung of
 * the ladder re-alerts its role; acknowledge / take over / false positive come in as validated updates.
 */
export async function riskEscalationWorkflow(input: RiskEscalationInput): Promise<RiskEscalationView> {
  const { settings } = input;
  const workflowId = workflowInfo().workflowId;
  const carry = input.carry;
  const pending: RiskOccurrence[] = [...(carry?.pending ?? input.backlog ?? [])];
  const seenEvents = new Set<string>(carry?.seenEvents ?? []);
  const view: RiskEscalationView = carry?.view ?? {
    workflowId,
    conversationKey: input.conversationKey,
    category: input.category,
    status: 'open',
    occurrences: 0,
    remindersSent: 0,
  };
  let openedAtMs = carry?.openedAtMs ?? 0;
  const background: Promise<unknown>[] = [];

  // Alerts are rendered from the database row, so they go out one at a time in the order the changes happened. A
  // person's action does not wait for them: with Slack down, the button still works and the alert catches up later.
  let alertQueue: Promise<void> = Promise.resolve();
  const publish = (args: Parameters<Activities['publishRiskAlert']>[0]) => {
    alertQueue = alertQueue
      .then(() => publishRiskAlert(args))
      .catch((err: unknown) => log.error('risk alert not published', { escalation: args.escalationId, kind: args.kind, error: (err as Error).message }));
    return alertQueue;
  };

  setHandler(riskOccurrenceSignal, (o) => {
    // Activity retries re-send; an event is counted once.
    if (seenEvents.has(o.eventId) || pending.some((p) => p.eventId === o.eventId)) return;
    pending.push(o);
  });
  setHandler(riskEscalationQuery, () => view);

  const checkAction = (req: RiskActionRequest) => {
    if (!view.escalationId) refuse('not_ready', 'the escalation is still being opened; try again in a moment');
    if (req.escalationId !== view.escalationId || isClosed(view.status)) {
      refuse('closed', `this escalation is closed${view.closedBy && req.escalationId === view.escalationId ? ` (by ${view.closedBy})` : ''}`);
    }
  };
  const act = async (status: Exclude<RiskEscalationStatus, 'open'>, req: RiskActionRequest) => {
    await recordRiskAction({ escalationId: view.escalationId as string, status, actor: req.actor, actorName: req.actorName, via: req.via, note: req.note });
  };

  setHandler(
    acknowledgeRiskUpdate,
    async (req) => {
      // State changes before the first await, so the ladder sees it at once and sends no further re-alert.
      view.status = 'acknowledged';
      view.acknowledgedBy = req.actorName ?? req.actor;
      view.nextReminderAt = undefined;
      await act('acknowledged', req);
      void publish({ escalationId: view.escalationId as string, kind: 'update' });
      return { ...view };
    },
    {
      validator: (req) => {
        checkAction(req);
        if (view.status === 'acknowledged') refuse('already_acknowledged', `already acknowledged by ${view.acknowledgedBy}`);
        if (view.status === 'taken_over') refuse('already_taken_over', `already taken over by ${view.takenOverBy}`);
      },
    },
  );

  setHandler(
    takeOverRiskUpdate,
    async (req) => {
      view.status = 'taken_over';
      view.takenOverBy = req.actorName ?? req.actor;
      view.acknowledgedBy ??= view.takenOverBy;
      view.nextReminderAt = undefined;
      await act('taken_over', req);
      // The hand-over (handoff + claim) may wait for the handoff to reach its queue: the clicker gets the answer now,
      // the outcome goes to the audit trail.
      background.push(riskTakeOver({
        escalationId: view.escalationId as string,
        conversationKey: input.conversationKey,
        category: input.category,
        agent: { id: req.actor, name: req.actorName ?? req.actor },
        queue: view.handoff?.queue ?? settings.handoffQueue,
        priority: view.handoff?.priority ?? 0,
      }).catch((err: unknown) => log.warn('risk take-over hand-off failed', { escalation: view.escalationId, error: (err as Error).message })));
      void publish({ escalationId: view.escalationId as string, kind: 'update' });
      return { ...view };
    },
    {
      validator: (req) => {
        checkAction(req);
        if (view.status === 'taken_over') refuse('already_taken_over', `already taken over by ${view.takenOverBy}`);
      },
    },
  );

  setHandler(
    falsePositiveRiskUpdate,
    async (req) => {
      view.status = 'false_positive';
      view.closedBy = req.actorName ?? req.actor;
      view.nextReminderAt = undefined;
      await act('false_positive', req);
      void publish({ escalationId: view.escalationId as string, kind: 'update' });
      return { ...view };
    },
    { validator: checkAction },
  );

  const absorb = async (o: RiskOccurrence) => {
    seenEvents.add(o.eventId);
    view.occurrences += 1;
    view.severity = maxSeverity(view.severity, o.severity);
    view.handoff ??= o.handoff;
    if (!view.escalationId) {
      view.escalationId = uuid4();
      openedAtMs = Date.now();
      await openRiskEscalation({ escalationId: view.escalationId, workflowId, conversationKey: input.conversationKey, category: input.category, occurrence: o });
      await publish({ escalationId: view.escalationId, kind: 'alert' });
    } else {
      await recordRiskRepeat({ escalationId: view.escalationId, occurrence: o });
      await publish({ escalationId: view.escalationId, kind: 'update' });
    }
  };

  await condition(() => pending.length > 0 || view.escalationId !== undefined);
  for (;;) {
    while (pending.length > 0 && !isClosed(view.status)) await absorb(pending.shift() as RiskOccurrence);
    if (isClosed(view.status)) break;

    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await Promise.all(background);
      await continueAsNew<typeof riskEscalationWorkflow>({ ...input, backlog: undefined, carry: { view, openedAtMs, seenEvents: [...seenEvents], pending } });
    }

    const rung = view.status === 'open' ? settings.ladder[view.remindersSent] : undefined;
    if (rung) {
      const dueAt = openedAtMs + rung.afterMs;
      view.nextReminderAt = new Date(dueAt).toISOString();
      const woke = await condition(() => pending.length > 0 || view.status !== 'open', Math.max(0, dueAt - Date.now()));
      if (!woke && view.status === 'open') {
        view.remindersSent += 1;
        view.nextReminderAt = undefined;
        await publish({ escalationId: view.escalationId as string, kind: 'realert', reminder: { step: view.remindersSent, role: rung.role, mentions: rung.mentions } });
      }
      continue;
    }
    view.nextReminderAt = undefined;
    if (view.status === 'open') {
      // Ladder done and still nobody acknowledged: stay open (visible in the console) until someone acts.
      await condition(() => pending.length > 0 || view.status !== 'open');
      continue;
    }
    // Acknowledged or taken over: repeats keep coming here until the conversation has been quiet for a while.
    const woke = await condition(() => pending.length > 0 || isClosed(view.status), settings.quietMs);
    if (!woke && !isClosed(view.status)) {
      view.status = 'resolved';
      view.closedBy = 'system';
      await recordRiskAction({ escalationId: view.escalationId as string, status: 'resolved', actor: 'system', via: 'api', note: 'quiet' });
      await publish({ escalationId: view.escalationId as string, kind: 'update' });
    }
  }

  await condition(allHandlersFinished);
  await Promise.all([alertQueue, ...background]);
  // A threat that arrived after this escalation closed opens a fresh one under the same id.
  if (pending.length > 0) {
    await continueAsNew<typeof riskEscalationWorkflow>({ ...input, carry: undefined, backlog: pending });
  }
  return { ...view };
}
