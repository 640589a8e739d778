import type { ChannelSenders } from '../bots/channel.js';
import type { Store } from '../core/store/index.js';
import type { Answerer } from '../knowledge/answerer.js';
import type { IntentRouter } from '../knowledge/routing/router.js';
import { createAnswerActivities } from './answer.js';
import { createConversationActivities } from './conversation.js';
import { createDeliverActivities } from './deliver.js';
import type { AgentDesk } from '../bots/agent-desk.js';
import { createSummarizer, type Summarizer } from '../analysis/summary/index.js';
import { createHandoffAssistActivities } from './handoff-assist.js';
import { createHandoffDeskActivities } from './handoff-desk.js';
import { createHandoffRecordActivities } from './handoff-records.js';
import { createRiskActivities, storeOnlyRiskServices, type RiskServices } from './risk.js';
import { defaultEngagement, type Engagement } from '../engagement/setup.js';
import { createInsightsActivities } from './insights.js';
import { createOutreachActivities } from './outreach.js';
import { createProfileActivities } from './profiles.js';
import { withTurnOutcomes } from './turn-outcomes.js';
import { createQaActivities } from './qa/index.js';
import { createLeadActivities } from './leads.js';
import { localQaDeps, type QaDeps } from './qa/deps.js';

export interface ActivityDeps {
  store: Store;
  answerer: Answerer;
  /** Intent routing (config/routing.yaml); every turn is a knowledge-base answer when absent. */
  router?: IntentRouter;
  senders: ChannelSenders;
  /** The configured agent desk (Slack or the local inbox) for handoffs. */
  desk?: AgentDesk;
  /** Handoff card summaries; extractive when absent. */
  summarizer?: Summarizer;
  /** Risk detection and escalation (detector, policy, alert sinks, Temporal side); store-only when absent. */
  risk?: RiskServices;
  /** Profiles, flags, campaigns and insights configuration; the files in config/ when absent. */
  engagement?: Engagement;
  /** Post-conversation QA (scorecard, judge, QA channel); the default scorecard, rules only, local QA inbox when absent. */
  qa?: QaDeps;
}

/** Built once per worker over its dependencies (no module-level singletons), as in Temporal's DI sample. */
export function createActivities(deps: ActivityDeps) {
  const engagement = deps.engagement ?? defaultEngagement();
  // One detector for the per-turn check and the profile update, so both judge with the same rules and model.
  const risk = deps.risk ?? storeOnlyRiskServices();
  return {
    // The answer activity also records each turn's outcome and handles opt-out replies (activities/turn-outcomes.ts).
    ...withTurnOutcomes(createAnswerActivities(deps), { store: deps.store, engagement }),
    ...createDeliverActivities(deps),
    ...createConversationActivities(deps),
    ...createHandoffRecordActivities(deps),
    ...createHandoffDeskActivities(deps),
    ...createHandoffAssistActivities({ ...deps, summarizer: deps.summarizer ?? createSummarizer() }),
    ...createRiskActivities({ store: deps.store, risk }),
    ...createProfileActivities({ store: deps.store, engagement, risk: risk.detector }),
    ...createOutreachActivities({ store: deps.store, senders: deps.senders, engagement }),
    ...createInsightsActivities({ store: deps.store, engagement }),
    ...createQaActivities(deps.qa ?? localQaDeps(deps.store)),
    ...createLeadActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
