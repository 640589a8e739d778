import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { campaignRunWorkflow } from '../../workflows/campaign-run.js';
import { cancelOutreachSignal, pauseOutreachSignal, resumeOutreachSignal } from '../../workflows/outreach-api.js';
import type { CampaignRunResult } from '../../workflows/outreach-types.js';
import { campaignScheduleId } from '../schedules.js';
import type { CampaignDefinition } from './campaign-config.js';

export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

/**
 * Runs a campaign now (what its Schedule does) and waits for the run: with `dryRun`, the preview of who would get
 * what; otherwise how many outreach workflows were started. The work happens on a worker, so this needs a running
 * `kefu start` (or `--only worker`) on the same task queue.
 */
export async function runCampaign(client: Client, opts: { taskQueue: string; campaign: CampaignDefinition; dryRun: boolean; timeoutMs?: number }): Promise<CampaignRunResult> {
  const name = opts.campaign.plan.name;
  const handle = await client.workflow.start(campaignRunWorkflow, {
    taskQueue: opts.taskQueue,
    workflowId: opts.dryRun ? `campaign-dry-run:${name}:${randomUUID()}` : `campaign:${name}:manual-${new Date().toISOString()}`,
    args: [{ plan: opts.campaign.plan, dryRun: opts.dryRun, refreshFlags: opts.campaign.refreshFlags }],
  });
  const timeoutMs = opts.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoWorkerError(`campaign run ${handle.workflowId} did not finish within ${Math.round(timeoutMs / 1000)}s: is a kefu worker running on task queue "${opts.taskQueue}"?`)), timeoutMs);
  });
  try {
    return await Promise.race([handle.result(), timeout]);
  } catch (err) {
    // A dry run nobody answered must not start sending later, when a worker appears.
    if (err instanceof NoWorkerError) await handle.terminate('no worker answered in time').catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/** Campaign names and task queues go into a visibility query: only plain names are accepted. */
function checkName(what: string, value: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value)) throw new Error(`invalid ${what} "${value}"`);
}

/** Running outreach workflows of a campaign on this task queue, from Temporal's visibility store. */
export async function listCampaignWorkflows(client: Client, taskQueue: string, campaign: string): Promise<string[]> {
  checkName('campaign name', campaign);
  checkName('task queue', taskQueue);
  const query = `WorkflowType = 'outreachWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}' AND WorkflowId STARTS_WITH 'outreach:${campaign}:'`;
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

/**
 * Pauses, resumes or cancels every running outreach workflow of a campaign (found through visibility, which may lag
 * a second or two behind very recent starts), and pauses or unpauses its Schedule so no new run starts meanwhile.
 */
export async function signalCampaign(client: Client, opts: { taskQueue: string; campaign: string; action: CampaignAction; by: string }): Promise<{ signalled: number; schedule: 'paused' | 'unpaused' | 'none' }> {
  const ids = await listCampaignWorkflows(client, opts.taskQueue, opts.campaign);
  let signalled = 0;
  for (const id of ids) {
    const handle = client.workflow.getHandle(id);
    try {
      if (opts.action === 'pause') await handle.signal(pauseOutreachSignal);
      else if (opts.action === 'resume') await handle.signal(resumeOutreachSignal);
      else await handle.signal(cancelOutreachSignal, { by: opts.by });
      signalled += 1;
    } catch (err) {
      // Finished between the listing and the signal: nothing left to do for it.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  const schedule = client.schedule.getHandle(campaignScheduleId(opts.taskQueue, opts.campaign));
  try {
    if (opts.action === 'resume') await schedule.unpause(`resumed by ${opts.by}`);
    else await schedule.pause(`${opts.action === 'pause' ? 'paused' : 'cancelled'} by ${opts.by}`);
    return { signalled, schedule: opts.action === 'resume' ? 'unpaused' : 'paused' };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return { signalled, schedule: 'none' };
    throw err;
  }
}
