import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

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
  // The two activities of a customer turn, which heartbeat: a worker that dies mid-turn (SIGKILL, lost machine) is
  // noticed within 10 s and the turn retried on another worker, instead of after the start-to-close timeout.
  turnAnswer: {
    startToCloseTimeout: '60s', heartbeatTimeout: '10s', retry: { initialInterval: '500ms', maximumInterval: '10s', maximumAttempts: 5 },
  },
  turnDeliver: {
    startToCloseTimeout: '30s', heartbeatTimeout: '10s', retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  },
  // Agent-desk posts (handoff cards): retried until the desk answers, so a misconfigured channel heals once fixed.
  desk: { startToCloseTimeout: '30s', retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } },
  // Profile upkeep after a conversation closes: bounded, so a broken update cannot keep the conversation open.
  profile: { startToCloseTimeout: '60s', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 } },
  // Pages of customers (audience selection, flag refresh) and weekly aggregation: longer, bounded retries.
  batch: { startToCloseTimeout: '10m', retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 5 } },
} satisfies Record<string, ActivityOptions>;

/**
 * Local activities: short, database-only steps on a customer turn's critical path, run by the worker inside the
 * workflow task that needs them. Each saves a workflow task and an activity task round trip through Temporal
 * (about a third of Temporal's work per message, see docs/BENCHMARKS.md#load). Retried locally, then with timers,
 * without limit. Not for anything slow or long: an LLM call stays a normal activity.
 */
export const localActivityProfiles = {
  inline: { startToCloseTimeout: '10s', retry: { initialInterval: '200ms', maximumInterval: '10s' } },
} satisfies Record<string, LocalActivityOptions>;
