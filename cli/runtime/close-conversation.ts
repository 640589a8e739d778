import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { closeSignal } from '../../workflows/conversation.js';

/** Asks a conversation's workflow (its id is the conversation key) to close; false when none is running. */
export async function closeConversationWorkflow(client: Client, key: string, reason: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(key).signal(closeSignal, { reason });
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
