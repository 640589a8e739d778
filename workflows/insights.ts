import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { activityProfiles } from './profiles.js';

const { computeInsightsDigest } = proxyActivities<Activities>(activityProfiles.batch);
const { postInsightsDigest } = proxyActivities<Activities>(activityProfiles.deliver);

const HOUR_MS = 3_600_000;

/**
 * The weekly demand digest (started by the `insights-weekly` Schedule): aggregates the week ending now (or at
 * `periodEnd`), stores the digest, then posts it. The period end is rounded down to the hour, so a re-run within the
 * hour replaces the same digest instead of adding another. A posting failure leaves the digest stored, unposted.
 */
export async function insightsWorkflow(input: { periodEnd?: string } = {}): Promise<{ digestId: number; postedTo: string | null; summary: string }> {
  const periodEnd = input.periodEnd ?? new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS).toISOString();
  const digest = await computeInsightsDigest({ periodEnd });
  let postedTo: string | null = null;
  try {
    postedTo = (await postInsightsDigest({ id: digest.id })).postedTo;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
  }
  return { digestId: digest.id, postedTo, summary: digest.summary };
}
