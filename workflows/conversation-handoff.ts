import { log, patched, setHandler, startChild, uuid4, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { AnswerResult } from '../core/domain.js';
import type { ConversationInput, ConversationState, CustomerMessageSignal, TranscriptEntry } from './conversation-types.js';
import { handoffWorkflow } from './handoff.js';
import {
  handoffCustomerMessageSignal,
  handoffEndSignal,
  handoffEscalateSignal,
  handoffStatusSignal,
  handoffWorkflowId,
  requestHandoffSignal,
} from './handoff-api.js';
import { asksForHuman, guessLanguage } from './handoff-triggers.js';
import type { HandoffOutcome, HandoffRequest, HandoffSettings } from './handoff-types.js';

/** For conversations started before handoff settings were part of the input. */
export const DEFAULT_HANDOFF_SETTINGS: HandoffSettings = {
  queues: ['general'],
  afterUnanswered: 2,
  alertAfterMs: 120_000,
  escalateAfterMs: 300_000,
  queueUpdateEveryMs: 60_000,
  agentIdleReminderMs: 180_000,
  defaultWaitMs: 180_000,
};

export const HANDOFF_REASONS = {
  customer: 'Customer asked for a person',
  unanswered: (n: number) => `The bot could not answer ${n} time${n > 1 ? 's' : ''} in a row`,
  intent: (intent: string | null) => `Routed by intent: ${intent ?? 'unknown'}`,
  workflowFailed: (workflow: string) => `Could not start the ${workflow} workflow for this request`,
};

/**
 * The conversation workflow's side of a handoff: decides when to hand off (customer asks, the bot keeps failing,
 * `requestHandoff` from risk detection), starts the handoff child, relays the customer to it while it runs and hands
 * back its outcome. While a handoff runs the bot stays silent.
 */
export function createHandoffController(input: ConversationInput, state: ConversationState) {
  const settings = input.settings.handoff ?? DEFAULT_HANDOFF_SETTINGS;
  let requested: HandoffRequest | undefined;
  let child: ChildWorkflowHandle<typeof handoffWorkflow> | undefined;
  let outcome: HandoffOutcome | undefined;
  let outcomeTaken = false;
  let ending = false;
  let unanswered = 0;
  const escalations: HandoffRequest[] = [];

  const request = (req: HandoffRequest): void => {
    if (child && !outcome) escalations.push(req);
    else if (!child) requested ??= req;
  };
  setHandler(requestHandoffSignal, request);
  setHandler(handoffStatusSignal, ({ status }) => {
    if (child && !outcome) state.status = status;
  });

  async function start(transcript: TranscriptEntry[]): Promise<void> {
    const req = requested as HandoffRequest;
    requested = undefined;
    const lastCustomer = [...transcript].reverse().find((t) => t.role === 'customer');
    const queue = req.queue && settings.queues.includes(req.queue) ? req.queue : (settings.queues[0] ?? 'general');
    try {
      child = await startChild(handoffWorkflow, {
        workflowId: handoffWorkflowId(input.key),
        args: [{
          handoffId: uuid4(),
          conversationKey: input.key,
          channel: input.channel,
          customerId: input.customerId,
          language: state.language ?? guessLanguage(lastCustomer?.text ?? ''),
          intent: state.lastAnswer?.intent ?? null,
          reason: req.reason,
          queue,
          priority: req.priority ?? 0,
          riskFlags: req.riskFlags ?? [],
          transcript: transcript.slice(-20),
          settings,
        }],
      });
    } catch (err) {
      // Another handoff for this conversation is still open (a previous run was terminated): stay with the bot.
      log.error('could not start the handoff', { conversation: input.key, error: (err as Error).message });
      return;
    }
    state.status = 'waiting_agent';
    unanswered = 0;
    child.result().then(
      (o) => {
        outcome = o;
      },
      (err: unknown) => {
        log.error('handoff failed', { conversation: input.key, error: (err as Error).message });
        outcome = { outcome: 'ended', reason: 'handoff_failed' };
      },
    );
  }

  return {
    request,
    /** Customer messages go to the handoff while it runs. */
    get active(): boolean {
      return child !== undefined && outcome === undefined;
    },
    /** Work for the conversation loop: a handoff to start, an escalation to pass on, or an outcome to take. */
    get needsAttention(): boolean {
      return (requested !== undefined && !child) || escalations.length > 0 || (outcome !== undefined && !outcomeTaken);
    },
    /** True when the message asks for a person: the handoff starts instead of an answer. */
    takeRequest(text: string): boolean {
      // Versioned: histories recorded before the negation rule replay with the rule off.
      if (!asksForHuman(text, { declines: patched('human-request-negation') })) return false;
      request({ reason: HANDOFF_REASONS.customer });
      return true;
    },
    /** Counts unanswered turns; true when this answer starts a handoff (its "reply agent" text is then not sent). */
    afterAnswer(answer: AnswerResult): boolean {
      unanswered = answer.handoffSuggested ? unanswered + 1 : 0;
      if (settings.afterUnanswered <= 0 || unanswered < settings.afterUnanswered) return false;
      request({ reason: HANDOFF_REASONS.unanswered(unanswered) });
      return true;
    },
    /** Does the pending handoff work; returns the conversation's close reason once the handoff has ended. */
    async step(transcript: TranscriptEntry[]): Promise<string | undefined> {
      if (outcome !== undefined && !outcomeTaken) {
        outcomeTaken = true;
        return outcome.outcome === 'resolved' ? 'resolved' : (outcome.reason ?? 'handoff_ended');
      }
      if (requested !== undefined && !child) await start(transcript);
      while (child && !outcome && escalations.length > 0) await child.signal(handoffEscalateSignal, escalations.shift() as HandoffRequest);
      return undefined;
    },
    async forward(msg: CustomerMessageSignal): Promise<void> {
      await child?.signal(handoffCustomerMessageSignal, { messageId: msg.messageId, text: msg.text, at: msg.receivedAt });
    },
    /** True once the running handoff was asked to end. */
    get ending(): boolean {
      return ending && child !== undefined && outcome === undefined;
    },
    /** The conversation closes for another reason (close signal, idle): the handoff ends too, once. */
    async end(reason: string): Promise<void> {
      if (!child || outcome || ending) return;
      ending = true;
      await child.signal(handoffEndSignal, { reason });
    },
  };
}
