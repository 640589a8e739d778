import { ApplicationFailure } from '@temporalio/activity';
import type { AgentDesk, CardRef } from '../bots/agent-desk.js';
import type { Store } from '../core/store/index.js';
import type { RoutedWorkflowInput } from '../workflows/routed.js';

/**
 * Leads for back-office workflows started by intent routing (workflows/trade-in-lead.ts): store the request, then
 * post it to the agent desk for the queue that follows up. Both are idempotent, so Temporal may retry them freely:
 * the lead is keyed by its workflow id, the desk post by the lead id.
 */
export function createLeadActivities(deps: { store: Store; desk?: AgentDesk }) {
  const { store } = deps;
  return {
    async recordLead(input: { kind: string; workflowId: string; request: RoutedWorkflowInput }): Promise<{ leadId: string }> {
      const r = input.request;
      const lead = await store.recordLead({
        kind: input.kind,
        workflowId: input.workflowId,
        conversationKey: r.conversationKey,
        customerId: r.customerId,
        channel: r.channel,
        messageId: r.messageId,
        text: r.text,
        language: r.language,
        intent: r.intent,
        queue: r.queue,
      });
      return { leadId: lead.id };
    },

    async postLeadToDesk(input: { leadId: string; title: string }): Promise<CardRef> {
      if (!deps.desk) throw ApplicationFailure.nonRetryable('no agent desk is configured');
      const key = `lead:${input.leadId}`;
      const done = await store.getDeskPost<CardRef>(key);
      if (done) return done;
      const lead = await store.getLead(input.leadId);
      if (!lead) throw ApplicationFailure.nonRetryable(`no lead ${input.leadId}`);
      const name = await store.getCustomerName(lead.customerId);
      const ref = await deps.desk.postLead({
        leadId: lead.id,
        title: input.title,
        queue: lead.queue,
        conversationKey: lead.conversationKey,
        channel: lead.channel,
        customer: { id: lead.customerId, ...(name ? { name } : {}) },
        language: lead.language ?? 'zh',
        intent: lead.intent,
        text: lead.text,
        createdAt: lead.createdAt,
      });
      await store.saveDeskPost(key, ref);
      await store.markLeadPosted(lead.id, ref.desk, ref);
      return ref;
    },
  };
}

export type LeadActivities = ReturnType<typeof createLeadActivities>;
