import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type WorkflowClient } from '@temporalio/client';
import type { RiskConversationControl, RiskEscalationStarter, RiskTakeOverInput } from '../../activities/risk.js';
import type { Store } from '../../core/store/index.js';
import { claimUpdate, handoffStateQuery, handoffWorkflowId, requestHandoffSignal } from '../../workflows/handoff-api.js';
import {
  acknowledgeRiskUpdate,
  falsePositiveRiskUpdate,
  riskOccurrenceSignal,
  takeOverRiskUpdate,
  type RiskRefusal,
} from '../../workflows/risk-api.js';
import type { riskEscalationWorkflow } from '../../workflows/risk-escalation.js';
import {
  riskEscalationWorkflowId,
  type RiskAction,
  type RiskActionRequest,
  type RiskEscalationSettings,
  type RiskEscalationView,
} from '../../workflows/risk-types.js';

const UPDATES = { acknowledge: acknowledgeRiskUpdate, take_over: takeOverRiskUpdate, false_positive: falsePositiveRiskUpdate } as const;

export type RiskActionOutcome =
  | { ok: true; escalation: RiskEscalationView }
  | { ok: false; reason: RiskRefusal | 'not_found'; message: string };

/** Starts or updates escalations (signalWithStart), and turns people's button presses into workflow updates. */
export function createRiskEscalationClient(deps: { workflows: WorkflowClient; store: Store; taskQueue: string; settings: RiskEscalationSettings }) {
  const { workflows, store } = deps;

  const starter: RiskEscalationStarter = {
    async signal(target, occurrence) {
      await workflows.signalWithStart<typeof riskEscalationWorkflow, [typeof occurrence]>('riskEscalationWorkflow', {
        workflowId: riskEscalationWorkflowId(target.conversationKey, target.category),
        taskQueue: deps.taskQueue,
        args: [{ ...target, settings: deps.settings }],
        signal: riskOccurrenceSignal,
        signalArgs: [occurrence],
      });
    },
  };

  return {
    ...starter,

    /** Acknowledge, take over or mark as false positive; a refusal says why (someone was first, it is closed…). */
    async perform(action: RiskAction, request: RiskActionRequest): Promise<RiskActionOutcome> {
      const row = await store.getRiskEscalation(request.escalationId);
      if (!row) return { ok: false, reason: 'not_found', message: `no risk escalation ${request.escalationId}` };
      if (row.status === 'false_positive' || row.status === 'resolved') {
        return { ok: false, reason: 'closed', message: `this escalation is closed (${row.status.replace('_', ' ')}${row.closedBy ? ` by ${row.closedBy}` : ''})` };
      }
      try {
        const escalation = await workflows.getHandle(row.workflowId).executeUpdate(UPDATES[action], { args: [request] });
        return { ok: true, escalation };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          return { ok: false, reason: (err.cause.type ?? 'closed') as RiskRefusal, message: err.cause.message };
        }
        if (err instanceof WorkflowNotFoundError) return { ok: false, reason: 'closed', message: 'this escalation is closed' };
        throw err;
      }
    },
  };
}

export type RiskEscalationClient = ReturnType<typeof createRiskEscalationClient>;

/**
 * "Take over" through the handoff workflow: the conversation is handed off (the bot stops), then claimed for the
 * person who pressed the button once the handoff is waiting in its queue. Bounded, so a conversation that cannot
 * be handed off (closed, after hours) does not hold the button press for long; the outcome goes to the audit trail.
 */
export function createHandoffRiskControl(deps: { workflows: WorkflowClient; claimWaitMs?: number; pollMs?: number }): RiskConversationControl {
  const { workflows } = deps;
  return {
    async takeOver(input: RiskTakeOverInput) {
      try {
        await workflows.getHandle(input.conversationKey).signal(requestHandoffSignal, {
          reason: `Risk (${input.category}) taken over by ${input.agent.name}`,
          queue: input.queue,
          priority: input.priority,
          riskFlags: [input.category],
        });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { handedOff: false, reason: 'conversation closed' };
        throw err;
      }
      const deadline = Date.now() + (deps.claimWaitMs ?? 10_000);
      let last = 'handoff not started';
      while (Date.now() < deadline) {
        try {
          const handle = workflows.getHandle(handoffWorkflowId(input.conversationKey));
          const { handoffId } = await handle.query(handoffStateQuery);
          const result = await handle.executeUpdate(claimUpdate, { args: [{ handoffId, agent: input.agent }] });
          if (result.ok) return { handedOff: true, claimedBy: input.agent.id };
          if (result.reason === 'already_claimed' || result.reason === 'closed') {
            return { handedOff: true, claimedBy: result.owner?.id ?? null, reason: result.reason };
          }
          last = result.reason;
        } catch (err) {
          // Not started yet, or the previous (finished) handoff of this conversation still answers under the id.
          last = err instanceof WorkflowNotFoundError ? 'handoff not started' : (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, deps.pollMs ?? 250));
      }
      return { handedOff: true, claimedBy: null, reason: last };
    },
  };
}
