import type { Store } from '../../core/store/index.js';
import type { AgentDesk, CardRef, HandoffCard, LeadCard, QueueAlert, Suggestion, ThreadPost } from '../agent-desk.js';

const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

/**
 * The agent desk as a local web inbox (`/inbox`): cards and threads live in the database and the page polls them.
 * Same interface as Slack, so `npm start` without Slack demonstrates the whole handoff.
 */
export function createInboxDesk(store: Store): AgentDesk {
  const thread = (ref: CardRef, kind: string, text: string, author?: string, payload?: Record<string, unknown>) =>
    store.appendInboxThread({ handoffId: ref.ts, kind, author, text, payload }).then(() => undefined);

  return {
    kind: 'inbox',

    async postHandoffCard(card: HandoffCard): Promise<CardRef> {
      await store.upsertInboxCard(card.handoffId, card);
      // One card per handoff; the queue in the reference keeps cards of different queues apart in handoff_cards.
      return { desk: 'inbox', channel: card.queue, ts: card.handoffId };
    },

    async updateCard(_ref: CardRef, card: HandoffCard): Promise<void> {
      // A "transferred" rendering of the old card is superseded by the new queue's card that follows it.
      if (card.status === 'transferred') {
        await thread(_ref, 'system', card.note ?? `Transferred from ${card.queue}`);
        return;
      }
      await store.upsertInboxCard(card.handoffId, card);
    },

    async postToThread(ref: CardRef, post: ThreadPost): Promise<void> {
      await thread(ref, post.kind, post.text, post.author, post.mention ? { mention: post.mention } : undefined);
    },

    async postSuggestion(ref: CardRef, s: Suggestion): Promise<void> {
      await thread(ref, 'suggestion', s.text, undefined, { suggestionId: s.suggestionId, citations: s.citations, forMessage: s.forMessage });
    },

    async alertQueue(ref: CardRef, alert: QueueAlert): Promise<void> {
      await store.raiseInboxAlert(ref.ts, 'queue');
      await thread(ref, 'alert', `Still unclaimed after ${minutes(alert.waitedMs)} min — can someone take this customer?`);
    },

    async notifySupervisor(ref: CardRef, _card: HandoffCard, waitedMs: number): Promise<void> {
      await store.raiseInboxAlert(ref.ts, 'supervisor');
      await thread(ref, 'supervisor', `Escalated to supervisors: unclaimed for ${minutes(waitedMs)} min.`);
    },

    async postLead(lead: LeadCard): Promise<CardRef> {
      // The lead row itself is what the inbox lists (GET /inbox/api/leads); posting only names where it shows.
      return { desk: 'inbox', channel: lead.queue, ts: lead.leadId };
    },
  };
}
