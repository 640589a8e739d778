import type { Channel } from '../../core/domain.js';
import type { RiskEscalation } from '../../core/store/index.js';

/**
 * Where risk alerts go. The escalation rows and their audit trail in the database are always the record (and the
 * local inbox the console reads through `GET /v1/risk/escalations`); Slack shows the same alert in the risk channel
 * with buttons when it is configured. Sinks are narrow on purpose so the agent desk can host them later.
 */
export type AlertRef = Record<string, string>;

export interface RiskAlert {
  escalation: RiskEscalation;
  conversation: { key: string; channel: Channel; customerId: string; tier?: string };
}

export interface RiskReminder {
  /** 1 for the first rung of the ladder. */
  step: number;
  role: string;
  /** Slack user (U…/W…) or user-group (S…) ids of the role. */
  mentions: string[];
}

export interface RiskAlertSink {
  readonly name: string;
  /** Shows a new alert; the returned reference is stored so later changes edit the same alert. */
  post(alert: RiskAlert): Promise<AlertRef>;
  /** Re-renders the alert (count, severity, status, who acted); buttons disappear once it is closed. */
  update(ref: AlertRef, alert: RiskAlert): Promise<void>;
  /** Nobody acknowledged in time: re-alerts the ladder's next role. `ref` is undefined when the post had failed. */
  remind(ref: AlertRef | undefined, alert: RiskAlert, reminder: RiskReminder): Promise<void>;
}

/** A sink error no retry will fix (unknown channel, revoked token): recorded as `alert_failed`, not retried. */
export class PermanentAlertError extends Error {
  override readonly name = 'PermanentAlertError';
}

/** The database-only sink: the escalation row and its audit events are the alert, nothing else to call. */
export function createLocalAlertSink(): RiskAlertSink {
  return {
    name: 'local',
    async post(alert) {
      return { escalationId: alert.escalation.id };
    },
    async update() {},
    async remind() {},
  };
}
