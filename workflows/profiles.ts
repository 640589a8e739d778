import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Named activity timeout/retry profiles. Pure data, so workflow code may import it; temporal.config.ts re-exports it
 * for everything else. Short user-facing work retries fast; channel sends back off longer.
 */
export const activityProfiles = {
  answer: { startToCloseTimeout: '60s', retry: { initialInterval: '500ms', maximumInterval: '10s', maximumAttempts: 5 } },
  deliver: {
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  },
  bookkeeping: { startToCloseTimeout: '30s', retry: { initialInterval: '500ms', maximumInterval: '30s' } },
} satisfies Record<string, ActivityOptions>;
