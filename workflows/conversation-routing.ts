import { log, ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { TurnAnswer } from '../activities/answer.js';
import type { ConversationInput, CustomerMessageSignal } from './conversation-types.js';
import { routedWorkflowId, type RoutedWorkflowInput, type TurnRoute } from './routed.js';

const isAlreadyStarted = (err: unknown) => err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError';

/**
 * Starts the back-office workflow a routing table names for this message (e.g. tradeInLead) as an abandoned child:
 * it has its own history, outlives the conversation, and its id comes from the message id, so a replayed or
 * retried turn never starts a second one. True when the workflow runs (now or from an earlier attempt).
 */
export async function startRoutedWorkflow(
  input: ConversationInput,
  msg: CustomerMessageSignal,
  answer: TurnAnswer,
  route: Extract<TurnRoute, { action: 'workflow' }>,
): Promise<boolean> {
  const args: RoutedWorkflowInput = {
    conversationKey: input.key,
    channel: input.channel,
    customerId: input.customerId,
    messageId: msg.messageId,
    text: msg.text,
    language: answer.language,
    intent: answer.intent ?? route.workflow,
    confidence: answer.confidence,
    queue: route.queue,
    receivedAt: msg.receivedAt,
  };
  try {
    await startChild(route.workflow, {
      workflowId: routedWorkflowId(route.workflow, msg.messageId),
      args: [args],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return true;
  } catch (err) {
    if (isAlreadyStarted(err)) return true;
    log.error('could not start the routed workflow', { conversation: input.key, workflow: route.workflow, error: (err as Error).message });
    return false;
  }
}
