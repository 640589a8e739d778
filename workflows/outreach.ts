import { ActivityFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { cancelOutreachSignal, outreachStatusQuery, pauseOutreachSignal, resumeOutreachSignal } from './outreach-api.js';
import type { OutreachInput, OutreachStatus, SendStepResult } from './outreach-types.js';
import { activityProfiles } from './profiles.js';

const { sendOutreachStep } = proxyActivities<Activities>(activityProfiles.deliver);
const { recordOutreachCancelled } = proxyActivities<Activities>(activityProfiles.bookkeeping);

/**
 * One campaign for one customer (id `outreach:<campaign>:<customer>`): each step waits its delay, then asks the send
 * activity, which decides at that moment (consent, quiet hours, caps, rate limits). A deferral sleeps until the time
 * the activity computed and asks again; pause holds before the next send, cancel ends the run. Skips that mean "not
 * this customer" (opted out, no consent, capped, unreachable) end it too; a step skipped because the customer already
 * replied lets later steps decide for themselves.
 */
export async function outreachWorkflow(input: OutreachInput): Promise<OutreachStatus> {
  const { plan, customerId } = input;
  const status: OutreachStatus = { campaign: plan.name, customerId, step: 0, paused: false, cancelled: false, results: [] };
  let cancelledBy = 'signal';
  setHandler(pauseOutreachSignal, () => {
    status.paused = true;
  });
  setHandler(resumeOutreachSignal, () => {
    status.paused = false;
  });
  setHandler(cancelOutreachSignal, ({ by }) => {
    status.cancelled = true;
    cancelledBy = by;
  });
  setHandler(outreachStatusQuery, () => status);

  /** Waits `ms` (workflow timer) unless cancelled first; a pause during the wait takes effect after it. */
  const waitUnlessCancelled = async (ms: number) => {
    status.waitingUntil = new Date(Date.now() + ms).toISOString();
    await condition(() => status.cancelled, ms);
    status.waitingUntil = undefined;
  };

  for (let i = 0; i < plan.steps.length && !status.cancelled; i++) {
    const step = plan.steps[i] as (typeof plan.steps)[number];
    status.step = i;
    if (step.delayMs > 0) await waitUnlessCancelled(step.delayMs);
    let result: SendStepResult | undefined;
    for (;;) {
      await condition(() => !status.paused || status.cancelled);
      if (status.cancelled) break;
      try {
        result = await sendOutreachStep({ plan, customerId, stepIndex: i });
      } catch (err) {
        // The channel stayed down through every retry: recorded as this step's outcome, the campaign moves on.
        if (!(err instanceof ActivityFailure)) throw err;
        result = { status: 'failed', error: err.cause?.message ?? err.message };
      }
      if (result.status !== 'deferred') break;
      await waitUnlessCancelled(result.waitMs);
    }
    if (status.cancelled || !result) break;
    status.results.push({ step: step.id, result });
    if (result.status === 'failed' || (result.status === 'skipped' && result.reason !== 'replied')) break;
  }
  if (status.cancelled) {
    await recordOutreachCancelled({ campaign: plan.name, customerId, step: plan.steps[status.step]?.id, by: cancelledBy });
  }
  return status;
}
