import {
  ActivityFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { activityProfiles } from './profiles.js';
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

const { answerTurn } = proxyActivities<Activities>(activityProfiles.answer);
const { deliverReply } = proxyActivities<Activities>(activityProfiles.deliver);
const { closeConversation, giveUpDelivery } = proxyActivities<Activities>(activityProfiles.bookkeeping);

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

  for (;;) {
    const active = await condition(() => pending.length > 0 || closeReason !== undefined, input.settings.idleTimeoutMs);
    if (!active) closeReason = 'idle_timeout';
    if (closeReason !== undefined && pending.length === 0) break;

    const msg = pending.shift() as CustomerMessageSignal;
    remember({ role: 'customer', text: msg.text, at: msg.receivedAt, messageId: msg.messageId });
    const answer = await answerTurn({
      conversationKey: input.key,
      channel: input.channel,
      customerId: input.customerId,
      text: msg.text,
      language: msg.language ?? state.language,
      history: transcript.slice(-10),
    });
    state.language = answer.language;
    state.lastAnswer = { intent: answer.intent, confidence: answer.confidence, handoffSuggested: answer.handoffSuggested };
    const idempotencyKey = `reply:${msg.messageId}`;
    try {
      await deliverReply({
        conversationKey: input.key,
        channel: input.channel,
        idempotencyKey,
        text: answer.text,
        citations: answer.citations,
        language: answer.language,
      });
    } catch (err) {
      // A channel down for longer than the retry budget must not stall the conversation: record and move on.
      if (!(err instanceof ActivityFailure)) throw err;
      await giveUpDelivery({ idempotencyKey, error: err.cause?.message ?? err.message });
    }
    remember({ role: 'bot', text: answer.text, at: new Date().toISOString() });
    seen.add(msg.messageId);
    if (seen.size > SEEN_KEEP) seen.delete(seen.values().next().value as string);
    state.turns += 1;
    turnsThisRun += 1;

    if (closeReason === undefined && (turnsThisRun >= input.settings.turnsPerRun || workflowInfo().continueAsNewSuggested)) {
      await continueAsNew<typeof conversationWorkflow>({
        ...input,
        carry: { pending, seen: [...seen], transcript, turns: state.turns, language: state.language },
      });
    }
  }

  state.status = 'closed';
  await closeConversation({ conversationKey: input.key, reason: closeReason ?? 'closed' });
  return { ...state, pending: 0, closeReason };
}
