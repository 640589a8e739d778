import type { WorkflowClient } from '@temporalio/client';
import { loadRiskDetector } from '../../analysis/risk/load.js';
import type { RiskServices } from '../../activities/risk.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';
import type { RiskEscalationSettings } from '../../workflows/risk-types.js';
import { deskKind } from '../desks.js';
import { parseQueues } from '../handoff/settings.js';
import { createLocalAlertSink, type RiskAlertSink } from './alert-sink.js';
import { createHandoffRiskControl, createRiskEscalationClient, type RiskEscalationClient } from './escalations.js';
import { createSlackAlertSink } from './slack-alert-sink.js';

export type RiskConfig = Pick<
  Config,
  | 'RISK_RULES_PATH' | 'RISK_MODEL_ENABLED' | 'RISK_MODEL_PATH' | 'RISK_MODEL_THRESHOLD' | 'RISK_MODEL_VETO' | 'RISK_ESCALATE_SEVERITY' | 'RISK_HOLD_SEVERITY' | 'RISK_HANDOFF_QUEUE' | 'RISK_ACK_LADDER' | 'RISK_ROLE_CONTACTS'
  | 'RISK_ESCALATION_QUIET' | 'SLACK_BOT_TOKEN' | 'SLACK_API_URL' | 'SLACK_RISK_CHANNEL' | 'TEMPORAL_TASK_QUEUE' | 'HANDOFF_QUEUES' | 'AGENT_DESK'
>;

/** The escalation workflow's timing, from configuration: ladder rungs with each role's Slack ids. */
export function riskEscalationSettings(config: RiskConfig): RiskEscalationSettings {
  return {
    ladder: config.RISK_ACK_LADDER.map((step) => ({ ...step, mentions: config.RISK_ROLE_CONTACTS[step.role] ?? [] })),
    quietMs: config.RISK_ESCALATION_QUIET,
    handoffQueue: config.RISK_HANDOFF_QUEUE,
  };
}

/**
 * Always the database (the local inbox, `GET /v1/risk/escalations`); Slack's risk channel too when the agent desk is
 * Slack, because only then does the Slack app run that handles the alert's buttons.
 */
export function riskAlertSinks(config: RiskConfig): RiskAlertSink[] {
  const sinks = [createLocalAlertSink()];
  if (config.SLACK_BOT_TOKEN && deskKind(config) === 'slack') {
    sinks.push(createSlackAlertSink({ token: config.SLACK_BOT_TOKEN, channel: config.SLACK_RISK_CHANNEL, apiUrl: config.SLACK_API_URL }));
  }
  return sinks;
}

/**
 * Everything risk detection needs at run time: the detector over the configured rules and learned model (a broken
 * rules or model file stops the start with its path), the policy, the alert sinks and the Temporal side (escalations, take-over).
 */
export function buildRiskServices(config: RiskConfig, deps: { store: Store; workflows: WorkflowClient; logger: Logger }): { services: RiskServices; escalations: RiskEscalationClient } {
  const detector = loadRiskDetector({
    rulesPath: config.RISK_RULES_PATH,
    modelEnabled: config.RISK_MODEL_ENABLED,
    modelPath: config.RISK_MODEL_PATH,
    modelThreshold: config.RISK_MODEL_THRESHOLD,
    ruleVeto: config.RISK_MODEL_VETO,
  });
  const queues = parseQueues({ HANDOFF_QUEUES: config.HANDOFF_QUEUES, SLACK_QUEUE_CHANNEL: '' }).map((q) => q.name);
  if (!queues.includes(config.RISK_HANDOFF_QUEUE)) {
    deps.logger.warn({ queue: config.RISK_HANDOFF_QUEUE, queues }, 'RISK_HANDOFF_QUEUE is not in HANDOFF_QUEUES: risky conversations go to the first queue');
  }
  const escalations = createRiskEscalationClient({
    workflows: deps.workflows,
    store: deps.store,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    settings: riskEscalationSettings(config),
  });
  return {
    escalations,
    services: {
      detector,
      policy: { escalateAt: config.RISK_ESCALATE_SEVERITY, holdAt: config.RISK_HOLD_SEVERITY, handoffQueue: config.RISK_HANDOFF_QUEUE },
      escalations,
      sinks: riskAlertSinks(config),
      control: createHandoffRiskControl({ workflows: deps.workflows }),
    },
  };
}
