import {
  ActivityFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { activityProfiles } from './profiles.js';
import { createHandoffController, HANDOFF_REASONS } from './conversation-handoff.js';
import { startRoutedWorkflow } from './conversation-routing.js';
import { createRiskGate } from './conversation-risk.js';
import { startQaReview } from './qa.js';
import type {
  ConversationInput,
  ConversationState,
  CustomerMessageSignal,
  TranscriptEntry,
} from './conversation-types.js';

export const customerMessageSignal = defineSignal<[CustomerMessageSignal]>('customerMessage');
export const closeSignal = defineSignal<[{ reason: string }]>('close');
export const stateQuery = defineQuery<ConversationState>('state');
export const transcriptQuery = defineQuery<TranscriptEntry[]>('transcript');
/** Hand the conversation to a person, e.g. from risk detection: `{ reason, queue?, priority?, riskFlags? }`. */
export { requestHandoffSignal } from './handoff-api.js';

const { answerTurn } = proxyActivities<Activities>(activityProfiles.turnAnswer);
const { deliverReply } = proxyActivities<Activities>(activityProfiles.turnDeliver);
const { closeConversation, reopenConversation, giveUpDelivery } = proxyActivities<Activities>(activityProfiles.bookkeeping);
const { updateCustomerProfile } = proxyActivities<Activities>(activityProfiles.profile);

// Enough recent context for answers and queries while keeping continue-as-new payloads small.
const TRANSCRIPT_KEEP = 50;
const SEEN_KEEP = 500;

/** One conversation: answers each customer turn in order, replies exactly once per message, closes when idle. */
export async function conversationWorkflow(input: ConversationInput): Promise<ConversationState> {
  const carry = input.carry;
  const pending: CustomerMessageSignal[] = [...(carry?.pending ?? [])];
  const seen = new Set<string>(carry?.seen ?? []);
  const transcript: TranscriptEntry[] = [...(carry?.transcript ?? [])];
  const state: ConversationState = { key: input.key, status: 'bot', turns: carry?.turns ?? 0, pending: 0, language: carry?.language };
  let closeReason: string | undefined;
  let turnsThisRun = 0;

  const remember = (entry: TranscriptEntry) => {
    transcript.push(entry);
    if (transcript.length > TRANSCRIPT_KEEP) transcript.splice(0, transcript.length - TRANSCRIPT_KEEP);
  };

  setHandler(customerMessageSignal, (msg) => {
    // The gateway may re-signal after a crash; a message id is handled once.
    if (seen.has(msg.messageId) || pending.some((p) => p.messageId === msg.messageId)) return;
    pending.push(msg);
  });
  setHandler(closeSignal, ({ reason }) => {
    closeReason ??= reason;
  });
  setHandler(stateQuery, () => ({ ...state, pending: pending.length, closeReason }));
  setHandler(transcriptQuery, () => transcript);
  const handoff = createHandoffController(input, state);
  const risk = createRiskGate(input, carry?.risk);
  const markSeen = (messageId: string) => {
    seen.add(messageId);
    if (seen.size > SEEN_KEEP) seen.delete(seen.values().next().value as string);
  };

  for (;;) {
    const ready = () => pending.length > 0 || handoff.needsAttention || (closeReason !== undefined && !handoff.ending);
    // While people have the conversation, the handoff's own timers apply instead of the bot's idle timeout.
    const active = handoff.active ? (await condition(ready), true) : await condition(ready, input.settings.idleTimeoutMs);
    if (!active) closeReason = 'idle_timeout';
    closeReason ??= await handoff.step(transcript);
    if (closeReason !== undefined && handoff.active) await handoff.end(closeReason); // then waits for it to finish
    if (closeReason !== undefined && pending.length === 0 && !handoff.active) break;
    if (pending.length === 0) continue;

    const msg = pending.shift() as CustomerMessageSignal;
    remember({ role: 'customer', text: msg.text, at: msg.receivedAt, messageId: msg.messageId });
    // Every customer message is checked for risk before anyone answers; a high/critical verdict takes it from the bot.
    const verdict = await risk.assess(msg, msg.language ?? state.language);
    if (verdict.handoff) {
      handoff.request({ reason: `Risk: ${verdict.categories.join(', ')} (${verdict.severity})`, queue: verdict.handoff.queue, priority: verdict.handoff.priority, riskFlags: verdict.categories });
    }
    // The bot stays silent while people have the conversation, and steps aside when the customer asks for a person.
    if (handoff.active || verdict.handoff || handoff.takeRequest(msg.text)) {
      await handoff.forward(msg);
      markSeen(msg.messageId);
      continue;
    }
    // Intent routing (config/routing.yaml) changes what a turn may do: runs from before it keep the old sequence.
    const routing = patched('intent-routing');
    const answer = await answerTurn({
      conversationKey: input.key,
      channel: input.channel,
      customerId: input.customerId,
      messageId: msg.messageId,
      text: msg.text,
      language: msg.language ?? state.language,
      history: transcript.slice(-10),
      ...(routing ? { route: true } : {}),
    });
    state.language = answer.language;
    state.lastAnswer = { intent: answer.intent, confidence: answer.confidence, handoffSuggested: answer.handoffSuggested };
    const route = routing ? answer.route : undefined;
    if (route?.action === 'handoff') {
      // The routing table sends this intent to people (a complaint to senior staff): the bot does not answer.
      handoff.request({ reason: HANDOFF_REASONS.intent(answer.intent), queue: route.queue });
      markSeen(msg.messageId);
      state.turns += 1;
      continue;
    }
    if (route?.action === 'workflow' && !(await startRoutedWorkflow(input, msg, answer, route))) {
      // The back-office workflow could not start: rather than acknowledge a request nobody will see, people take it.
      handoff.request({ reason: HANDOFF_REASONS.workflowFailed(route.workflow), queue: route.queue });
      markSeen(msg.messageId);
      state.turns += 1;
      continue;
    }
    if (handoff.afterAnswer(answer)) {
      // The bot failed again: a person takes over, and the queue notice replaces the bot's "reply agent".
      markSeen(msg.messageId);
      state.turns += 1;
      continue;
    }
    const idempotencyKey = `reply:${msg.messageId}`;
    try {
      await deliverReply({
        conversationKey: input.key,
        channel: input.channel,
        idempotencyKey,
        text: answer.text,
        citations: answer.citations,
        language: answer.language,
        repliesTo: { receivedAt: msg.receivedAt },
      });
    } catch (err) {
      // A channel down for longer than the retry budget must not stall the conversation: record and move on.
      if (!(err instanceof ActivityFailure)) throw err;
      await giveUpDelivery({ idempotencyKey, error: err.cause?.message ?? err.message });
    }
    remember({ role: 'bot', text: answer.text, at: new Date().toISOString() });
    markSeen(msg.messageId);
    state.turns += 1;
    turnsThisRun += 1;

    if (closeReason === undefined && !handoff.needsAttention && (turnsThisRun >= input.settings.turnsPerRun || workflowInfo().continueAsNewSuggested)) {
      await continueAsNew<typeof conversationWorkflow>({
        ...input,
        carry: { pending, seen: [...seen], transcript, turns: state.turns, language: state.language, risk: risk.carry() },
      });
    }
  }

  state.status = 'closed';
  await closeConversation({ conversationKey: input.key, reason: closeReason ?? 'closed' });
  // Every close is scored by QA (bot-only and handed-off alike), in a workflow of its own that outlives this one.
  await startQaReview({ conversationKey: input.key, reason: closeReason ?? 'closed' });
  // Profile facts, sentiment trend and flags follow every conversation; a failing update must not keep it open.
  await updateCustomerProfile({ conversationKey: input.key }).catch(() => undefined);
  if (pending.length > 0) {
    // The customer wrote again while the close was being recorded: those messages start the next chapter of the
    // same conversation instead of vanishing with this run.
    await reopenConversation({ conversationKey: input.key });
    await continueAsNew<typeof conversationWorkflow>({
      ...input,
      carry: { pending, seen: [...seen], transcript, turns: state.turns, language: state.language, risk: risk.carry() },
    });
  }
  return { ...state, pending: 0, closeReason };
}
