import { loadRiskDetector, type RiskDetector } from '../analysis/risk/index.js';
import type { Store } from '../core/store/index.js';
import type { Engagement } from '../engagement/setup.js';
import { updateProfileAfterConversation, type ProfileUpdate } from '../engagement/profiles/update.js';

/** Profile upkeep: run when a conversation closes (workflows/conversation.ts). */
export function createProfileActivities(deps: { store: Store; engagement: Pick<Engagement, 'flagging'>; risk?: RiskDetector }) {
  const risk = deps.risk ?? loadRiskDetector();
  return {
    async updateCustomerProfile(input: { conversationKey: string }): Promise<Pick<ProfileUpdate, 'customerId' | 'sentimentTrend'> & { flags: string[] } | null> {
      const update = await updateProfileAfterConversation({ store: deps.store, flagging: deps.engagement.flagging, risk }, input.conversationKey);
      return update ? { customerId: update.customerId, sentimentTrend: update.sentimentTrend, flags: update.flags.map((f) => f.flag) } : null;
    },
  };
}
