import type { Store } from '../core/store/index.js';

export function createConversationActivities(deps: { store: Store }) {
  return {
    async closeConversation(input: { conversationKey: string; reason: string }): Promise<void> {
      await deps.store.setConversationStatus(input.conversationKey, 'closed', input.reason);
    },
    async reopenConversation(input: { conversationKey: string }): Promise<void> {
      await deps.store.setConversationStatus(input.conversationKey, 'bot');
    },
  };
}
