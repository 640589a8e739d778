import type { App } from '@slack/bolt';
import type { WorkflowClient } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store/index.js';
import type { AgentDesk, DeskKind } from './agent-desk.js';
import type { Access } from './console/access.js';
import { createHandoffCommands, type HandoffCommands } from './handoff/commands.js';
import { parseQueues } from './handoff/settings.js';
import { createInboxDesk } from './inbox/desk.js';
import { registerInboxRoutes } from './inbox/routes.js';
import { createSlackAgentDesk, type SlackAgentDesk } from './slack/index.js';

/** The configured agent desk, the commands agents' actions go through, and the desk's routes and lifecycle. */
export interface AgentDeskSetup {
  kind: DeskKind;
  desk: AgentDesk;
  commands: HandoffCommands;
  /** Present when the desk is Slack (the Bolt app, for other features' listeners). */
  slack?: SlackAgentDesk;
  /** `access`: the console's sign-in and permissions, which the local inbox's actions go through (Slack signs its own). */
  registerRoutes(app: FastifyInstance, access: Access): void;
  /** Socket Mode connects here; run it where the gateway runs. */
  start(): Promise<void>;
  stop(): Promise<void>;
  describe(): string;
}

export function deskKind(config: Pick<Config, 'AGENT_DESK' | 'SLACK_BOT_TOKEN'>): DeskKind {
  if (config.AGENT_DESK === 'auto') return config.SLACK_BOT_TOKEN ? 'slack' : 'inbox';
  return config.AGENT_DESK;
}

/** Slack when configured, else the local inbox: one interface, so the handoff workflow does not know which. */
export function createAgentDeskSetup(
  config: Config,
  deps: { store: Store; logger: Logger; workflows: WorkflowClient; /** Other features' Slack buttons (risk, QA). */ slackListeners?: ((app: App) => void)[] },
): AgentDeskSetup {
  const queues = parseQueues(config).map((q) => q.name);
  const commands = createHandoffCommands({ store: deps.store, workflows: deps.workflows, logger: deps.logger, queues });
  if (deskKind(config) === 'slack') {
    const slack = createSlackAgentDesk(config, { store: deps.store, logger: deps.logger, commands });
    for (const register of deps.slackListeners ?? []) register(slack.app);
    return {
      kind: 'slack',
      desk: slack.desk,
      commands,
      slack,
      registerRoutes: (app) => slack.registerRoutes(app),
      start: () => slack.start(),
      stop: () => slack.stop(),
      describe: () => (slack.mode === 'socket' ? 'Slack (Socket Mode)' : 'Slack (POST /slack/events)'),
    };
  }
  return {
    kind: 'inbox',
    desk: createInboxDesk(deps.store),
    commands,
    registerRoutes: (app, access) => registerInboxRoutes(app, { store: deps.store, commands, queues, access }),
    start: async () => undefined,
    stop: async () => undefined,
    describe: () => 'local inbox at /inbox (agents sign in to the console)',
  };
}
