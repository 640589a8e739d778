import type { Config } from '../../core/config.js';
import { parseBusinessHours } from '../../workflows/business-hours.js';
import type { HandoffSettings } from '../../workflows/handoff-types.js';

export type HandoffConfig = Pick<
  Config,
  | 'HANDOFF_QUEUES'
  | 'HANDOFF_AFTER_UNANSWERED'
  | 'HANDOFF_ALERT_AFTER'
  | 'HANDOFF_ESCALATE_AFTER'
  | 'HANDOFF_QUEUE_UPDATE_EVERY'
  | 'HANDOFF_AGENT_IDLE_REMINDER'
  | 'HANDOFF_DEFAULT_WAIT'
  | 'BUSINESS_HOURS'
  | 'BUSINESS_TIMEZONE'
  | 'SLACK_QUEUE_CHANNEL'
>;

export interface QueueDef {
  name: string;
  /** Slack channel (name or id) of the queue. */
  slackChannel: string;
}

/** `general,billing=kefu-billing` → queues; a queue without a channel uses SLACK_QUEUE_CHANNEL. */
export function parseQueues(config: Pick<HandoffConfig, 'HANDOFF_QUEUES' | 'SLACK_QUEUE_CHANNEL'>): QueueDef[] {
  const queues = config.HANDOFF_QUEUES.split(',')
    .map((q) => q.trim())
    .filter(Boolean)
    .map((q) => {
      const [name, channel] = q.split('=');
      return { name: (name as string).trim(), slackChannel: (channel ?? config.SLACK_QUEUE_CHANNEL).trim().replace(/^#/, '') };
    });
  return queues.length > 0 ? queues : [{ name: 'general', slackChannel: config.SLACK_QUEUE_CHANNEL }];
}

/** The handoff part of every conversation workflow's input. */
export function handoffSettings(config: HandoffConfig): HandoffSettings {
  const businessHours = parseBusinessHours(config.BUSINESS_HOURS, config.BUSINESS_TIMEZONE);
  return {
    queues: parseQueues(config).map((q) => q.name),
    afterUnanswered: config.HANDOFF_AFTER_UNANSWERED,
    alertAfterMs: config.HANDOFF_ALERT_AFTER,
    escalateAfterMs: config.HANDOFF_ESCALATE_AFTER,
    queueUpdateEveryMs: config.HANDOFF_QUEUE_UPDATE_EVERY,
    agentIdleReminderMs: config.HANDOFF_AGENT_IDLE_REMINDER,
    defaultWaitMs: config.HANDOFF_DEFAULT_WAIT,
    ...(businessHours ? { businessHours } : {}),
  };
}
