import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AgentRef } from '../bots/agent-desk.js';
import type { DeskActionResult, HandoffCustomerMessage, HandoffRequest, HandoffState } from './handoff-types.js';

/**
 * The handoff workflow's messages, importable by workflow code and by the gateway (desk handlers) alike.
 * Agent actions are updates, so the first claim wins inside the workflow and the loser learns who has it. Each names
 * its handoff: the workflow id is reused by later handoffs of the conversation, and a stale card must not act on them.
 */

/** One handoff at a time per conversation; a later handoff (after the conversation reopened) reuses the id. */
export const handoffWorkflowId = (conversationKey: string): string => `handoff:${conversationKey}`;

export const handoffCustomerMessageSignal = defineSignal<[HandoffCustomerMessage]>('handoffCustomerMessage');
/** A further reason to hurry (risk detected while waiting): raises priority, adds flags. */
export const handoffEscalateSignal = defineSignal<[HandoffRequest]>('handoffEscalate');
/** The conversation closed for another reason: the handoff ends without an agent's resolution. */
export const handoffEndSignal = defineSignal<[{ reason: string }]>('handoffEnd');

export const claimUpdate = defineUpdate<DeskActionResult, [{ handoffId: string; agent: AgentRef }]>('claim');
export const transferUpdate = defineUpdate<DeskActionResult, [{ handoffId: string; by: AgentRef; toQueue?: string; toAgent?: AgentRef }]>('transfer');
export const resolveUpdate = defineUpdate<DeskActionResult, [{ handoffId: string; by: AgentRef }]>('resolve');
/** `sourceId` is the desk's id of the message (Slack ts, inbox client id): relayed once whatever the retries. */
export const agentMessageUpdate = defineUpdate<DeskActionResult, [{ handoffId: string; agent: AgentRef; sourceId: string; text: string }]>('agentMessage');
export const sendSuggestionUpdate = defineUpdate<DeskActionResult, [{ handoffId: string; agent: AgentRef; suggestionId: string }]>('sendSuggestion');

export const handoffStateQuery = defineQuery<HandoffState>('handoffState');

/** Handoff → its conversation: the status the conversation shows while an agent has it. */
export const handoffStatusSignal = defineSignal<[{ status: 'waiting_agent' | 'with_agent' }]>('handoffStatus');

/**
 * Anyone → a conversation: hand it to a person. The risk detector sends this with its reason, queue and priority;
 * while a handoff is already running, it raises that handoff's priority instead.
 */
export const requestHandoffSignal = defineSignal<[HandoffRequest]>('requestHandoff');
