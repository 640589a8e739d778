import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Config } from '../../core/config.js';
import type { QaReportInput } from '../../workflows/qa.js';

/**
 * The weekly QA report as a Temporal Schedule, created (or brought up to date) when a worker starts. One schedule
 * per deployment: `kefu-qa-weekly-report` on the default task queue, suffixed with the task queue otherwise, so
 * deployments (and test runs) sharing a Temporal namespace do not take over each other's schedule.
 */

export type QaScheduleConfig = Pick<Config, 'QA_REPORT_CRON' | 'BUSINESS_TIMEZONE' | 'TEMPORAL_TASK_QUEUE'>;

export const QA_REPORT_SCHEDULE_ID = 'kefu-qa-weekly-report';

export function qaReportScheduleId(taskQueue: string): string {
  return taskQueue === 'kefu' ? QA_REPORT_SCHEDULE_ID : `${QA_REPORT_SCHEDULE_ID}-${taskQueue}`;
}

export async function ensureQaReportSchedule(client: Client, config: QaScheduleConfig): Promise<'created' | 'updated' | 'unchanged'> {
  const scheduleId = qaReportScheduleId(config.TEMPORAL_TASK_QUEUE);
  const cron = config.QA_REPORT_CRON.trim();
  const spec = { cronExpressions: [cron], timezone: config.BUSINESS_TIMEZONE };
  // The settings travel in the started workflows' memo, so the next start can tell whether they changed.
  const memo = { cron, timezone: config.BUSINESS_TIMEZONE };
  const args: [QaReportInput] = [{ days: 7 }];
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'qaReportWorkflow',
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: `${scheduleId}-run`,
    args,
    memo,
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      // A worker down at report time sends the report when it is back, within a day; overlapping runs are skipped.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe();
  const was = current.action.memo ?? {};
  if (was.cron === memo.cron && was.timezone === memo.timezone && current.action.taskQueue === action.taskQueue) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}
