import type { ChannelSenders } from '../bots/channel.js';
import type { Store } from '../core/store/index.js';
import type { Answerer } from '../knowledge/answerer.js';
import { createAnswerActivities } from './answer.js';
import { createConversationActivities } from './conversation.js';
import { createDeliverActivities } from './deliver.js';

export interface ActivityDeps {
  store: Store;
  answerer: Answerer;
  senders: ChannelSenders;
}

/** Built once per worker over its dependencies (no module-level singletons), as in Temporal's DI sample. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createAnswerActivities(deps),
    ...createDeliverActivities(deps),
    ...createConversationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
