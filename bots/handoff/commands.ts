import type { WorkflowClient } from '@temporalio/client';
import type { Logger } from '../../core/logger.js';
import type { HandoffRecord, Store } from '../../core/store/index.js';
import {
  agentMessageUpdate,
  claimUpdate,
  resolveUpdate,
  sendSuggestionUpdate,
  transferUpdate,
} from '../../workflows/handoff-api.js';
import type { DeskActionResult } from '../../workflows/handoff-types.js';
import type { AgentRef } from '../agent-desk.js';

/** A desk action's result: the workflow's answer, or why it could not be asked. */
export type CommandResult = DeskActionResult | { ok: false; reason: 'unknown_handoff' | 'unavailable'; owner?: undefined };

export interface QueueOverview {
  queues: { name: string; waiting: number; afterHours: number; claimed: number; oldestWaitMs: number | null }[];
  mine: HandoffRecord[];
}

const OPEN = ['after_hours', 'waiting', 'claimed'] as const;

/**
 * What agents do, whichever desk they use (Slack buttons and thread replies, the local inbox): each action is a
 * workflow update carrying an id from the desk, so a retried click or a re-delivered message acts once.
 */
export function createHandoffCommands(deps: { store: Store; workflows: WorkflowClient; logger: Logger; timeoutMs?: number; queues: string[] }) {
  const { store, workflows, logger } = deps;
  const timeoutMs = deps.timeoutMs ?? 30_000;

  async function run(
    handoffId: string,
    updateId: string,
    call: (h: HandoffRecord) => Promise<DeskActionResult>,
  ): Promise<CommandResult> {
    const h = await store.getHandoff(handoffId);
    if (!h) return { ok: false, reason: 'unknown_handoff' };
    if (h.status === 'resolved' || h.status === 'ended') return { ok: false, reason: 'closed' };
    try {
      return await workflows.withDeadline(Date.now() + timeoutMs, () => call(h));
    } catch (err) {
      // The workflow may have finished between the read and the update; otherwise Temporal is unreachable.
      const again = await store.getHandoff(handoffId);
      if (again && (again.status === 'resolved' || again.status === 'ended')) return { ok: false, reason: 'closed' };
      logger.warn({ err, handoffId, updateId }, 'desk action could not reach the handoff workflow');
      return { ok: false, reason: 'unavailable' };
    }
  }
  const handle = (h: HandoffRecord) => workflows.getHandle(h.workflowId);

  return {
    claim: (handoffId: string, agent: AgentRef, actionId: string) =>
      run(handoffId, `claim:${actionId}`, (h) => handle(h).executeUpdate(claimUpdate, { args: [{ handoffId, agent }], updateId: `claim:${actionId}` })),

    transfer: (handoffId: string, by: AgentRef, target: { queue: string } | { agent: AgentRef }, actionId: string) =>
      run(handoffId, `transfer:${actionId}`, (h) =>
        handle(h).executeUpdate(transferUpdate, {
          args: [{ handoffId, by, ...('queue' in target ? { toQueue: target.queue } : { toAgent: target.agent }) }],
          updateId: `transfer:${actionId}`,
        })),

    resolve: (handoffId: string, by: AgentRef, actionId: string) =>
      run(handoffId, `resolve:${actionId}`, (h) => handle(h).executeUpdate(resolveUpdate, { args: [{ handoffId, by }], updateId: `resolve:${actionId}` })),

    /** `sourceId` identifies the agent's message on the desk (Slack ts, inbox client id). */
    agentMessage: (handoffId: string, agent: AgentRef, sourceId: string, text: string) =>
      run(handoffId, `msg:${sourceId}`, (h) =>
        handle(h).executeUpdate(agentMessageUpdate, { args: [{ handoffId, agent, sourceId, text }], updateId: `msg:${handoffId}:${sourceId}` })),

    sendSuggestion: (handoffId: string, agent: AgentRef, suggestionId: string) =>
      run(handoffId, `suggestion:${suggestionId}`, (h) =>
        handle(h).executeUpdate(sendSuggestionUpdate, {
          args: [{ handoffId, agent, suggestionId }],
          updateId: `suggestion:${handoffId}:${suggestionId}`,
        })),

    /** Queue status for `/kefu` and the inbox header: per queue counts and oldest wait, and the agent's own conversations. */
    async overview(agentId?: string): Promise<QueueOverview> {
      const open = await store.listHandoffs({ statuses: [...OPEN] });
      const now = Date.now();
      const names = [...new Set([...deps.queues, ...open.map((h) => h.queue)])];
      return {
        queues: names.map((name) => {
          const inQueue = open.filter((h) => h.queue === name);
          const waiting = inQueue.filter((h) => h.status === 'waiting');
          const oldest = waiting.map((h) => Date.parse(h.queuedAt ?? h.createdAt)).sort((a, b) => a - b)[0];
          return {
            name,
            waiting: waiting.length,
            afterHours: inQueue.filter((h) => h.status === 'after_hours').length,
            claimed: inQueue.filter((h) => h.status === 'claimed').length,
            oldestWaitMs: oldest === undefined ? null : now - oldest,
          };
        }),
        mine: agentId ? open.filter((h) => h.status === 'claimed' && h.agentId === agentId) : [],
      };
    },
  };
}

export type HandoffCommands = ReturnType<typeof createHandoffCommands>;

/** What to tell an agent whose action was refused. */
export function refusalText(r: CommandResult): string {
  if (r.ok) return '';
  switch (r.reason) {
    case 'already_claimed':
      return `${r.owner?.name ?? 'Another agent'} already has this conversation.`;
    case 'not_owner':
      return `Only ${r.owner?.name ?? 'the agent who claimed it'} can do that; this conversation is theirs.`;
    case 'closed':
      return 'This conversation is already closed.';
    case 'not_open':
      return 'This handoff is not in the queue yet (outside business hours or still being prepared).';
    case 'claim_first':
      return 'Claim the conversation first; then your replies go to the customer.';
    case 'unknown_queue':
      return 'There is no such queue.';
    case 'unknown_suggestion':
      return 'That suggestion has expired; write the reply yourself.';
    case 'unknown_handoff':
      return 'This handoff no longer exists.';
    case 'unavailable':
      return 'The handoff service is not answering right now; please try again in a moment.';
  }
}
