import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';
import type { RiskAction } from '../../workflows/risk-types.js';
import { RISK_ACTIONS } from '../risk/alert-blocks.js';
import type { RiskEscalationClient } from '../risk/escalations.js';

export interface RiskActionDeps {
  escalations: Pick<RiskEscalationClient, 'perform'>;
  logger?: Logger;
}

const BY_ACTION_ID: [string, RiskAction][] = [
  [RISK_ACTIONS.acknowledge, 'acknowledge'],
  [RISK_ACTIONS.takeOver, 'take_over'],
  [RISK_ACTIONS.falsePositive, 'false_positive'],
];

/**
 * The risk alert's buttons on the Slack app (Bolt): Acknowledge, Take over, False positive. Slack gets its
 * acknowledgement at once (it allows 3 s; a take-over may wait for the handoff), then the escalation workflow's
 * update decides; a refusal — someone else was first, the escalation is closed — is shown to the clicker only.
 * The alert message itself is re-rendered by the workflow, so every watcher sees who acted.
 */
export function registerRiskActions(app: App, deps: RiskActionDeps): void {
  for (const [actionId, action] of BY_ACTION_ID) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action: button, client }) => {
      await ack();
      const escalationId = button.value;
      if (!escalationId) return;
      try {
        const outcome = await deps.escalations.perform(action, {
          escalationId,
          actor: body.user.id,
          actorName: body.user.name ?? body.user.username ?? body.user.id,
          via: 'slack',
        });
        if (!outcome.ok && body.channel?.id) {
          await client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text: `⚠️ ${outcome.message}` });
        }
      } catch (err) {
        deps.logger?.error({ err, escalationId, action }, 'risk alert button failed');
        if (body.channel?.id) {
          await client.chat
            .postEphemeral({ channel: body.channel.id, user: body.user.id, text: '⚠️ That did not go through; please try again.' })
            .catch(() => undefined);
        }
      }
    });
  }
}
