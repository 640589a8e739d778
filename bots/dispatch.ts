import { WorkflowClient } from '@temporalio/client';
import type { Config } from '../core/config.js';
import type { InboundMessage } from '../core/domain.js';
import type { Logger } from '../core/logger.js';
import { metrics } from '../core/metrics.js';
import type { RecordedInbound, Store } from '../core/store/index.js';
import { conversationWorkflow, customerMessageSignal } from '../workflows/conversation.js';
import type { ConversationInput } from '../workflows/conversation-types.js';
import { handoffSettings, type HandoffConfig } from './handoff/settings.js';

export interface DispatcherDeps {
  store: Store;
  workflows: WorkflowClient;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'CONVERSATION_IDLE_TIMEOUT' | 'CONVERSATION_TURNS_PER_RUN'> & HandoffConfig;
  logger: Logger;
  /** Sees every new customer message before its workflow does (outreach: opt-out words, campaign replies). */
  onAccepted?: (recorded: RecordedInbound) => Promise<void>;
}

export interface Accepted {
  recorded: RecordedInbound;
  duplicate: boolean;
}

/**
 * The gateway's one use case, shared by every channel: persist the message first, then hand it to its conversation
 * workflow (starting it if needed). A message stored but not yet handed over is re-sent by `redispatchStranded`.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { store, workflows, config, logger } = deps;
  const handoff = handoffSettings(config);

  async function signal(recorded: RecordedInbound, language?: InboundMessage['language']): Promise<void> {
    const c = recorded.conversation;
    const input: ConversationInput = {
      key: c.key,
      channel: c.channel,
      conversationId: c.externalId,
      customerId: c.customerId,
      settings: { idleTimeoutMs: config.CONVERSATION_IDLE_TIMEOUT, turnsPerRun: config.CONVERSATION_TURNS_PER_RUN, handoff },
    };
    await workflows.signalWithStart(conversationWorkflow, {
      workflowId: c.key,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [input],
      signal: customerMessageSignal,
      signalArgs: [{ messageId: recorded.message.id, text: recorded.message.text, language: language ?? recorded.message.language ?? undefined, receivedAt: recorded.message.createdAt }],
    });
    await store.markDispatched(recorded.message.id);
  }

  return {
    async accept(message: InboundMessage): Promise<Accepted> {
      const recorded = await store.recordInbound(message);
      (recorded.inserted ? metrics.inboundMessages : metrics.inboundDuplicates).inc({ channel: message.channel });
      // Best effort here (the bot's turn repeats the opt-out check durably): a failing hook never blocks a message.
      if (!recorded.dispatched) await deps.onAccepted?.(recorded).catch((err: unknown) => logger.warn({ err }, 'inbound hook failed'));
      // A repeat of a message that was stored but never handed over (crash in between) is handed over now.
      if (!recorded.dispatched) await signal(recorded, message.language);
      else logger.debug({ conversation: recorded.conversation.key, messageId: message.messageId }, 'duplicate message ignored');
      return { recorded, duplicate: !recorded.inserted };
    },

    /** Hands over customer messages left undispatched by a crash between storing and signalling. */
    async redispatchStranded(olderThanMs = 5000): Promise<number> {
      const stranded = await store.listUndispatched(olderThanMs);
      let done = 0;
      for (const m of stranded) {
        const conversation = await store.getConversation(m.conversationKey);
        if (!conversation) continue;
        try {
          await signal({ inserted: false, dispatched: false, conversation, message: m });
          done += 1;
        } catch (err) {
          logger.warn({ err, messageId: m.id }, 'redispatch failed; will try again');
        }
      }
      if (done > 0) logger.info({ count: done }, 'redispatched stranded customer messages');
      return done;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
