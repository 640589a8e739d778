import type { ChannelSenders } from '../bots/channel.js';
import type { Store } from '../core/store/index.js';
import { previewCampaign } from '../engagement/campaigns/preview.js';
import { sendCampaignStep, type SendStepInput } from '../engagement/campaigns/send-step.js';
import { evaluateCustomerFlags } from '../engagement/flags/evaluate.js';
import type { Engagement } from '../engagement/setup.js';
import type { CampaignPlan, PreviewRow, SendStepResult } from '../workflows/outreach-types.js';
import { createDeliverActivities } from './deliver.js';

const FLAG_REFRESH_PAGE = 500;

/** Campaign activities: audience selection, dry-run previews, flag refresh, and the send of one step. */
export function createOutreachActivities(deps: { store: Store; senders: ChannelSenders; engagement: Pick<Engagement, 'outreach' | 'flagging'> }) {
  const { store, engagement } = deps;
  // Outreach goes through the same delivery path as every reply: claim, transcript, channel sender.
  const { deliverReply } = createDeliverActivities(deps);
  return {
    async sendOutreachStep(input: SendStepInput): Promise<SendStepResult> {
      return sendCampaignStep({ store, settings: engagement.outreach, deliver: deliverReply }, input);
    },

    /** One page of the campaign's audience (customer ids after `after`, in id order). */
    async selectCampaignAudience(input: { plan: CampaignPlan; after: string | null; limit: number }): Promise<string[]> {
      const a = input.plan.audience;
      return store.campaignAudience({ ...a, campaign: input.plan.name, after: input.after, limit: input.limit });
    },

    async previewCampaignAudience(input: { plan: CampaignPlan; customerIds: string[] }): Promise<PreviewRow[]> {
      return previewCampaign(store, engagement.outreach, input.plan, input.customerIds);
    },

    /**
     * Re-evaluates the flag rules for one page of customers (time-based facts such as device age change without any
     * conversation). Returns the last id of the page, or null when done.
     */
    async refreshFlagsPage(input: { after: string | null }): Promise<string | null> {
      const ids = await store.listCustomerIds(input.after, FLAG_REFRESH_PAGE);
      for (const id of ids) await evaluateCustomerFlags(store, engagement.flagging, id);
      return ids.length < FLAG_REFRESH_PAGE ? null : (ids.at(-1) ?? null);
    },

    async recordOutreachCancelled(input: { campaign: string; customerId: string; step?: string; by: string }): Promise<void> {
      await store.recordOutreachEvent({
        campaign: input.campaign,
        customerId: (await store.canonicalCustomerId(input.customerId)) ?? input.customerId,
        step: input.step,
        kind: 'cancelled',
        detail: { by: input.by },
        dedupeKey: `cancelled:${input.campaign}:${input.customerId}`,
      });
    },
  };
}
