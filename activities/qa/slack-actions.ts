import type { App, BlockButtonAction, ViewOutput } from '@slack/bolt';
import type { View } from '@slack/web-api';
import { QA_ACTIONS } from './alert-sink.js';
import { QaServiceError, type QaService } from './service.js';

/**
 * The buttons on QA posts in Slack. "Dispute" (on each failed finding of an alert) asks the agent for a reason in a
 * modal; "Accept"/"Reject" (on a dispute, in the alert's thread) asks the QA lead for an optional note. Both end in
 * the QA service, like the gateway's JSON endpoints. The Slack app calls `registerQaSlackActions(app, platform.qa)`.
 */

const REASON_BLOCK = 'reason';
const NOTE_BLOCK = 'note';

function disputeModal(findingId: string): View {
  return {
    type: 'modal',
    callback_id: QA_ACTIONS.disputeModal,
    private_metadata: JSON.stringify({ findingId }),
    title: { type: 'plain_text', text: 'Dispute finding' },
    submit: { type: 'plain_text', text: 'Send to QA lead' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Why is this finding wrong? / 申诉理由' },
        element: { type: 'plain_text_input', action_id: REASON_BLOCK, multiline: true, max_length: 2000 },
      },
    ],
  };
}

function decisionModal(disputeId: string, accept: boolean): View {
  return {
    type: 'modal',
    callback_id: QA_ACTIONS.decisionModal,
    private_metadata: JSON.stringify({ disputeId, accept }),
    title: { type: 'plain_text', text: accept ? 'Accept dispute' : 'Reject dispute' },
    submit: { type: 'plain_text', text: accept ? 'Accept and overturn' : 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: NOTE_BLOCK,
        optional: true,
        label: { type: 'plain_text', text: 'Note for the agent / 备注' },
        element: { type: 'plain_text_input', action_id: NOTE_BLOCK, multiline: true, max_length: 2000 },
      },
    ],
  };
}

function metadata(view: ViewOutput): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(view.private_metadata || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const inputValue = (view: ViewOutput, block: string): string => view.state.values[block]?.[block]?.value ?? '';

export function registerQaSlackActions(app: App, service: QaService): void {
  app.action<BlockButtonAction>(QA_ACTIONS.dispute, async ({ ack, body, action, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: disputeModal(action.value ?? '') });
  });

  for (const accept of [true, false]) {
    app.action<BlockButtonAction>(accept ? QA_ACTIONS.accept : QA_ACTIONS.reject, async ({ ack, body, action, client }) => {
      await ack();
      await client.views.open({ trigger_id: body.trigger_id, view: decisionModal(action.value ?? '', accept) });
    });
  }

  app.view(QA_ACTIONS.disputeModal, async ({ ack, body, view }) => {
    const { findingId } = metadata(view);
    try {
      await service.disputeFinding({
        findingId: typeof findingId === 'string' ? findingId : '',
        agent: { id: body.user.id, name: body.user.name },
        reason: inputValue(view, REASON_BLOCK),
      });
      await ack();
    } catch (err) {
      // Shown under the reason field, so the agent sees why (already disputed, not their finding…).
      if (err instanceof QaServiceError) await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: err.message } });
      else throw err;
    }
  });

  app.view(QA_ACTIONS.decisionModal, async ({ ack, body, view }) => {
    const { disputeId, accept } = metadata(view);
    try {
      await service.decideDispute({
        disputeId: typeof disputeId === 'string' ? disputeId : '',
        lead: { id: body.user.id, name: body.user.name },
        accept: accept === true,
        note: inputValue(view, NOTE_BLOCK),
      });
      await ack();
    } catch (err) {
      if (err instanceof QaServiceError) await ack({ response_action: 'errors', errors: { [NOTE_BLOCK]: err.message } });
      else throw err;
    }
  });
}
