import type { Channel, Language } from '../core/domain.js';

/**
 * Intent routing as the conversation workflow sees it (config/routing.yaml decides, the answer activity applies the
 * table). Types and constants only: safe in workflow code and in the start-up checks alike.
 */

/** What routing decided for one customer turn; the workflow acts on `handoff` and `workflow`. */
export type TurnRoute =
  | { action: 'answer' }
  | { action: 'clarify' }
  | { action: 'handoff'; queue: string }
  | { action: 'workflow'; workflow: string; queue: string };

/** The one input every workflow a routing table starts receives. */
export interface RoutedWorkflowInput {
  conversationKey: string;
  channel: Channel;
  customerId: string;
  /** The stored customer message that was routed (also the root of the workflow id). */
  messageId: string;
  text: string;
  language: Language;
  intent: string;
  confidence: number;
  /** Agent-desk queue for follow-up work: the route's `queue`, else the first of HANDOFF_QUEUES. */
  queue: string;
  receivedAt: string;
}

/**
 * Workflow types a routing table may name (`action: workflow, workflow: <name>`). To add one: write it like
 * trade-in-lead.ts (input `RoutedWorkflowInput`), export it from index.ts under this name, and list it here.
 */
export const ROUTABLE_WORKFLOWS = ['tradeInLead'] as const;

/** One workflow per routed message: a retried or replayed turn finds the workflow it already started. */
export const routedWorkflowId = (workflow: string, messageId: string): string => `${workflow}:${messageId}`;
