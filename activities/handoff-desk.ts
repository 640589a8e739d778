import { ApplicationFailure } from '@temporalio/activity';
import type { AgentDesk, CardRef, HandoffCard, QueueAlert, Suggestion, ThreadPost } from '../bots/agent-desk.js';
import type { Store } from '../core/store/index.js';

/**
 * The handoff workflow's calls to the agent desk (Slack or the local inbox, whichever is configured). Posts are
 * recorded under an idempotency key, so an activity retried after the desk accepted the post does not post again.
 */
export function createHandoffDeskActivities(deps: { store: Store; desk?: AgentDesk }) {
  const { store } = deps;
  const desk = (): AgentDesk => {
    if (!deps.desk) throw ApplicationFailure.nonRetryable('no agent desk is configured');
    return deps.desk;
  };
  async function once<T>(key: string, post: () => Promise<T>): Promise<T> {
    const done = await store.getDeskPost<T>(key);
    if (done !== null) return done;
    const ref = await post();
    await store.saveDeskPost(key, ref ?? {});
    return ref;
  }

  return {
    async deskPostCard(input: { key: string; card: HandoffCard }): Promise<CardRef> {
      const ref = await once(input.key, () => desk().postHandoffCard(input.card));
      await store.setHandoffCard(input.card.handoffId, ref);
      return ref;
    },

    async deskUpdateCard(input: { ref: CardRef; card: HandoffCard }): Promise<void> {
      await desk().updateCard(input.ref, input.card);
    },

    async deskPostToThread(input: { key: string; ref: CardRef; post: ThreadPost }): Promise<void> {
      await once(input.key, async () => {
        await desk().postToThread(input.ref, input.post);
        return { posted: true };
      });
    },

    async deskPostSuggestion(input: { key: string; ref: CardRef; suggestion: Suggestion }): Promise<void> {
      await once(input.key, async () => {
        await desk().postSuggestion(input.ref, input.suggestion);
        return { posted: true };
      });
    },

    async deskAlertQueue(input: { key: string; ref: CardRef; alert: QueueAlert }): Promise<void> {
      await once(input.key, async () => {
        await desk().alertQueue(input.ref, input.alert);
        return { posted: true };
      });
    },

    async deskNotifySupervisor(input: { key: string; ref: CardRef; card: HandoffCard; waitedMs: number }): Promise<void> {
      await once(input.key, async () => {
        await desk().notifySupervisor(input.ref, input.card, input.waitedMs);
        return { posted: true };
      });
    },
  };
}
