import {
  ActivityFailure,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { QaActivities } from '../activities/qa/index.js';
import type { QaReport } from '../activities/qa/report.js';
import type { ScoreCloseOutcome } from '../activities/qa/scoring.js';

/**
 * Post-conversation QA: every close of a conversation (bot-only or handed off) is scored once by `qaWorkflow`,
 * started by the conversation workflow as it ends; `qaReportWorkflow` is the weekly report run by a Schedule.
 */

const { recordConversationClose } = proxyActivities<QaActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '30s', maximumAttempts: 20 },
});
// Scoring may call the LLM judge once per judged criterion (with its own retries): minutes, not seconds.
const { scoreConversationClose } = proxyActivities<QaActivities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 10 },
});
const { sendQaAlert, postQaReport } = proxyActivities<QaActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});
const { buildQaReport } = proxyActivities<QaActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
});

/** One QA workflow per close of a conversation: starting it twice for the same close is rejected by Temporal. */
export const qaWorkflowId = (conversationKey: string, closeSeq: number) => `qa:${conversationKey}:${closeSeq}`;

export interface QaWorkflowInput {
  conversationKey: string;
  closeSeq: number;
}

export type QaWorkflowResult = ScoreCloseOutcome & { alerted: boolean };

export async function qaWorkflow(input: QaWorkflowInput): Promise<QaWorkflowResult> {
  const outcome = await scoreConversationClose({ ...input, workflowId: workflowInfo().workflowId });
  if (outcome.status !== 'scored' || outcome.alertReasons.length === 0) return { ...outcome, alerted: false };
  await sendQaAlert({ resultId: outcome.resultId });
  return { ...outcome, alerted: true };
}

const isAlreadyStarted = (err: unknown) => err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError';

/**
 * Called by the conversation workflow once it has closed: records the close (once per workflow run, keyed by its run
 * id — a run closes at most once — so a retried activity or a replay finds the same close number) and starts the QA workflow as an
 * abandoned child, so QA outlives the conversation and a new conversation on the same key does not wait for it.
 * A QA problem never keeps a conversation from closing: the close stays recorded and shows as not covered.
 */
export async function startQaReview(input: { conversationKey: string; reason: string }): Promise<void> {
  try {
    const { closeSeq } = await recordConversationClose({
      conversationKey: input.conversationKey,
      runId: workflowInfo().runId,
      reason: input.reason,
    });
    await startChild(qaWorkflow, {
      workflowId: qaWorkflowId(input.conversationKey, closeSeq),
      args: [{ conversationKey: input.conversationKey, closeSeq }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (isAlreadyStarted(err)) return; // scored (or being scored) already: exactly what we want
    if (err instanceof ActivityFailure) {
      log.warn('QA review not started; the close shows as not covered', { conversationKey: input.conversationKey, error: err.message });
      return;
    }
    throw err;
  }
}

export interface QaReportInput {
  /** Length of the period in days (default 7). */
  days?: number;
  /** End of the period (default: when the workflow runs). */
  until?: string;
}

/** The weekly QA report: figures for the period ending now, posted to the QA channel, and returned. */
export async function qaReportWorkflow(input: QaReportInput = {}): Promise<QaReport> {
  const days = input.days ?? 7;
  // Workflow time is deterministic: a replay computes the same period.
  const until = input.until ? new Date(input.until) : new Date();
  const since = new Date(until.getTime() - days * 86_400_000);
  const report = await buildQaReport({ since: since.toISOString(), until: until.toISOString() });
  await postQaReport({ report });
  return report;
}
