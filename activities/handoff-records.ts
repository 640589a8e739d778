import type { AgentRef } from '../bots/agent-desk.js';
import { metrics, secondsSince } from '../core/metrics.js';
import type { NewHandoff, Store } from '../core/store/index.js';

export interface QueueStatus {
  position: number;
  waiting: number;
  estimatedWaitMs: number;
}

/** The handoff's rows in the database, kept in step with the workflow (which stays the source of truth). */
export function createHandoffRecordActivities(deps: { store: Store }) {
  const { store } = deps;
  /** Place in the queue and an estimate: position × the queue's recent mean wait (or the configured default). */
  async function queueStatus(input: { handoffId: string; queue: string; defaultWaitMs: number }): Promise<QueueStatus | null> {
    const place = await store.handoffQueuePosition(input.handoffId);
    if (!place) return null;
    const perCustomer = (await store.recentClaimWaitMs(input.queue)) ?? input.defaultWaitMs;
    return { ...place, estimatedWaitMs: Math.max(perCustomer, 30_000) * place.position };
  }
  return {
    async openHandoff(input: NewHandoff): Promise<void> {
      // Looked up first so a retried activity does not count the handoff twice.
      const isNew = (await store.getHandoff(input.id)) === null;
      await store.insertHandoff(input);
      if (isNew) metrics.handoffs.inc({ queue: input.queue });
      await store.setConversationStatus(input.conversationKey, 'waiting_agent');
    },

    /** Into a queue; returns the place in it, for the customer's notice. */
    async recordHandoffQueued(input: { handoffId: string; conversationKey: string; queue: string; defaultWaitMs: number }): Promise<QueueStatus | null> {
      await store.markHandoffQueued(input.handoffId, input.queue);
      await store.setConversationStatus(input.conversationKey, 'waiting_agent');
      return queueStatus(input);
    },

    async recordHandoffClaimed(input: { handoffId: string; conversationKey: string; agent: AgentRef }): Promise<void> {
      const before = await store.getHandoff(input.handoffId);
      await store.markHandoffClaimed(input.handoffId, input.agent);
      if (before && !before.claimedAt) metrics.handoffWait.observe({ queue: before.queue }, secondsSince(before.queuedAt ?? before.createdAt));
      await store.setConversationStatus(input.conversationKey, 'with_agent');
    },

    async recordHandoffEnded(input: { handoffId: string; status: 'resolved' | 'ended'; by?: string }): Promise<void> {
      await store.markHandoffEnded(input.handoffId, input.status, input.by ?? null);
    },

    async recordHandoffRisk(input: { handoffId: string; priority: number; riskFlags: string[] }): Promise<void> {
      await store.setHandoffRisk(input.handoffId, input.priority, input.riskFlags);
    },

    async recordAgentRelay(input: { handoffId: string; sourceId: string; agent: AgentRef; text: string; deliveryKey: string }): Promise<void> {
      await store.recordAgentRelay({
        handoffId: input.handoffId,
        sourceId: input.sourceId,
        agentId: input.agent.id,
        agentName: input.agent.name,
        text: input.text,
        deliveryKey: input.deliveryKey,
      });
    },

    handoffQueueStatus: queueStatus,
  };
}
