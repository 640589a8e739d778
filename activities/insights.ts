import type { Store } from '../core/store/index.js';
import { isOptOutMessage } from '../engagement/campaigns/opt-out.js';
import { buildDigest, digestPeriod, digestSummary, type InsightsDigest } from '../engagement/insights/digest.js';
import type { Engagement } from '../engagement/setup.js';

/** The weekly demand digest: computed and stored, then posted where people read it. */
export function createInsightsActivities(deps: { store: Store; engagement: Pick<Engagement, 'insights' | 'outreach' | 'postDigest'> }) {
  const { store, engagement } = deps;
  return {
    /** Computes the digest of the week ending at `periodEnd` and stores it (replacing an earlier run for that week). */
    async computeInsightsDigest(input: { periodEnd: string }): Promise<{ id: number; summary: string; posted: boolean }> {
      const end = new Date(input.periodEnd);
      const { from } = digestPeriod(end, engagement.insights.baselineWeeks);
      const messages = await store.customerMessagesBetween(from.toISOString(), end.toISOString());
      const digest = buildDigest(messages, end, engagement.insights, (t) => isOptOutMessage(t, engagement.outreach.optOut.keywords));
      const summary = digestSummary(digest);
      const stored = await store.saveDigest({ periodStart: digest.periodStart, periodEnd: digest.periodEnd, digest, summary });
      return { id: stored.id, summary, posted: stored.postedAt !== null };
    },

    /** Posts a stored digest (Slack when configured); a no-op when nothing is configured. */
    async postInsightsDigest(input: { id: number }): Promise<{ postedTo: string | null }> {
      const stored = await store.getDigest(input.id);
      if (!stored || !engagement.postDigest) return { postedTo: null };
      if (stored.postedAt) return { postedTo: stored.postedTo };
      const { postedTo } = await engagement.postDigest(stored.digest as InsightsDigest, stored.summary);
      await store.markDigestPosted(input.id, postedTo);
      return { postedTo };
    },
  };
}
