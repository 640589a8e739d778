import { App, webApi } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';
import type { AgentDesk } from '../agent-desk.js';
import type { HandoffCommands } from '../handoff/commands.js';
import { parseQueues } from '../handoff/settings.js';
import { createAgentDirectory } from './agents.js';
import { createSlackDesk } from './desk.js';
import { registerSlackListeners } from './listeners.js';
import { boltLogger } from './logger.js';
import { GatewayReceiver } from './receiver.js';
import { registerSlackRoutes } from './routes.js';

export type SlackConfig = Pick<
  Config,
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_SIGNING_SECRET'
  | 'SLACK_APP_TOKEN'
  | 'SLACK_API_URL'
  | 'SLACK_QUEUE_CHANNEL'
  | 'SLACK_SUPERVISOR_CHANNEL'
  | 'HANDOFF_QUEUES'
>;

export interface SlackAgentDesk {
  desk: AgentDesk;
  /** The Bolt app, for other features' listeners (risk alert buttons) to register on. */
  app: App;
  /** Present in HTTP mode; tests await `drain()` to know a delivery was fully handled. */
  receiver?: GatewayReceiver;
  mode: 'http' | 'socket';
  registerRoutes(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `SLACK_API_URL` as the Web API client wants it: a base ending in a slash. */
const apiBase = (url: string | undefined) => (url ? (url.endsWith('/') ? url : `${url}/`) : undefined);

/**
 * Slack as the agent desk: a Web API client for the handoff activities (no SDK retries: Temporal retries), and a
 * Bolt app for agents' clicks, thread replies and `/kefu` — over the gateway's `/slack/events` with signature
 * checks, or over Socket Mode when `SLACK_APP_TOKEN` is set (no public URL needed).
 */
export function createSlackAgentDesk(
  config: SlackConfig,
  deps: { store: Store; logger: Logger; commands: HandoffCommands },
): SlackAgentDesk {
  const token = config.SLACK_BOT_TOKEN;
  if (!token) throw new Error('SLACK_BOT_TOKEN is required for the Slack agent desk');
  const slackApiUrl = apiBase(config.SLACK_API_URL);
  const logger = boltLogger(deps.logger);
  const queues = parseQueues(config);
  const deskClient = new webApi.WebClient(token, { slackApiUrl, logger, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 15_000 });
  const desk = createSlackDesk({ client: deskClient, queues, supervisorChannel: config.SLACK_SUPERVISOR_CHANNEL });

  // auth.test once, on first use, retried on the next event if it failed (a token fixed without a restart works).
  let identity: Promise<{ botUserId?: string; botId?: string }> | undefined;
  const authorize = async () => {
    identity ??= deskClient.auth.test().then(
      (r) => ({ botUserId: r.user_id, botId: r.bot_id }),
      (err: unknown) => {
        identity = undefined;
        throw err;
      },
    );
    return { botToken: token, ...(await identity) };
  };

  const socket = Boolean(config.SLACK_APP_TOKEN);
  if (!socket && !config.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is required for the Slack HTTP endpoint');
  const receiver = socket ? undefined : new GatewayReceiver({ signingSecret: config.SLACK_SIGNING_SECRET as string, logger: deps.logger });
  const clientOptions = { slackApiUrl, retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 } };
  const app = socket
    ? new App({ authorize, appToken: config.SLACK_APP_TOKEN, socketMode: true, clientOptions, logger })
    : new App({ authorize, receiver, clientOptions, logger });
  const agents = createAgentDirectory(app.client);
  registerSlackListeners(app, { store: deps.store, commands: deps.commands, agents, queues: queues.map((q) => q.name), logger: deps.logger });

  let started = false;
  return {
    desk,
    app,
    receiver,
    mode: socket ? 'socket' : 'http',
    registerRoutes(fastify) {
      if (receiver) registerSlackRoutes(fastify, receiver);
    },
    async start() {
      if (socket) {
        await app.start();
        started = true;
      }
    },
    async stop() {
      if (started) await app.stop();
      else await receiver?.drain();
    },
  };
}
