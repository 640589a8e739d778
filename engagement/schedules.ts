import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { Logger } from '../core/logger.js';
import { campaignRunWorkflow } from '../workflows/campaign-run.js';
import { insightsWorkflow } from '../workflows/insights.js';
import type { Engagement } from './setup.js';

interface DesiredSchedule {
  id: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsAction;
  memo: string;
}

/** Schedule ids carry the task queue, so several installations (or test runs) can share one namespace. */
export const campaignScheduleId = (taskQueue: string, campaign: string) => `${taskQueue}:campaign:${campaign}`;
export const insightsScheduleId = (taskQueue: string) => `${taskQueue}:insights-weekly`;

function desiredSchedules(taskQueue: string, engagement: Pick<Engagement, 'campaigns' | 'insights'>): DesiredSchedule[] {
  const out: DesiredSchedule[] = [];
  for (const [name, def] of engagement.campaigns) {
    if (!def.enabled || !def.schedule) continue;
    out.push({
      id: campaignScheduleId(taskQueue, name),
      spec: { cronExpressions: [def.schedule.cron], timezone: def.schedule.timezone },
      action: { type: 'startWorkflow', workflowType: campaignRunWorkflow, workflowId: `campaign:${name}`, taskQueue, args: [{ plan: def.plan, dryRun: false, refreshFlags: def.refreshFlags }] },
      memo: `campaign ${name} (${def.file})`,
    });
  }
  const s = engagement.insights.schedule;
  out.push({
    id: insightsScheduleId(taskQueue),
    spec: { cronExpressions: [s.cron], timezone: s.timezone },
    action: { type: 'startWorkflow', workflowType: insightsWorkflow, workflowId: 'insights-weekly', taskQueue, args: [{}] },
    memo: 'weekly demand insights (config/insights.yaml)',
  });
  return out;
}

/**
 * Creates or updates the Temporal Schedules of every enabled, scheduled campaign and of the weekly insights digest;
 * safe to run at every worker start (existing schedules are updated in place, keeping their paused state, so
 * `kefu campaign pause` survives restarts). Schedules of campaigns whose file is gone or disabled are deleted.
 */
export async function ensureEngagementSchedules(client: Client, opts: { taskQueue: string; engagement: Pick<Engagement, 'campaigns' | 'insights'>; logger: Logger }): Promise<string[]> {
  const desired = desiredSchedules(opts.taskQueue, opts.engagement);
  for (const d of desired) {
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } as const;
    try {
      await client.schedule.create({ scheduleId: d.id, spec: d.spec, action: d.action, policies, memo: { description: d.memo } });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(d.id).update((prev) => ({ ...prev, spec: d.spec, action: d.action, policies: { ...prev.policies, ...policies } }));
    }
  }
  const wanted = new Set(desired.map((d) => d.id));
  const prefix = campaignScheduleId(opts.taskQueue, '');
  for await (const s of client.schedule.list()) {
    if (s.scheduleId.startsWith(prefix) && !wanted.has(s.scheduleId)) {
      await client.schedule.getHandle(s.scheduleId).delete();
      opts.logger.info({ schedule: s.scheduleId }, 'deleted the schedule of a campaign that is gone or disabled');
    }
  }
  opts.logger.info({ schedules: [...wanted] }, 'engagement schedules in place');
  return [...wanted];
}
