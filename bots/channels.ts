import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store/index.js';
import type { ChannelSenders } from './channel.js';
import type { Dispatcher } from './dispatch.js';
import { createTeamsChannel, type TeamsChannel, type TeamsOverrides } from './teams/index.js';
import { createWechatChannel, type WechatChannel, type WechatOverrides } from './wechat/index.js';

/** Replacements for tests and embedding; production builds everything from configuration. */
export interface ChannelOverrides {
  teams?: TeamsOverrides;
  wechat?: WechatOverrides;
}

/** The customer channels beyond the built-in REST one: their senders, their HTTP routes, and their lifecycles. */
export interface ChannelSet {
  senders: ChannelSenders;
  teams: TeamsChannel;
  /** Present when WECHATY_PUPPET is set (or a puppet is injected). */
  wechat?: WechatChannel;
  /** Mounts inbound endpoints on the gateway (Teams: POST /api/messages). */
  registerRoutes(app: FastifyInstance, deps: { dispatcher: Dispatcher }): void;
  /**
   * Starts long-lived connections. WeChat runs in the process that runs the worker, because its one logged-in
   * session both receives and sends; run exactly one such process when WeChat is configured.
   */
  start(deps: { dispatcher: Dispatcher; worker: boolean }): Promise<void>;
  stop(): Promise<void>;
  describe(): Record<string, string>;
}

export function buildChannels(config: Config, logger: Logger, store: Store, overrides: ChannelOverrides = {}): ChannelSet {
  const teams = createTeamsChannel(config, logger, store, overrides.teams);
  const wechat = config.WECHATY_PUPPET || overrides.wechat?.puppet ? createWechatChannel(config, logger, overrides.wechat) : undefined;
  let wechatStarted = false;

  return {
    senders: { teams: teams.sender, ...(wechat ? { wechat: wechat.sender } : {}) },
    teams,
    wechat,
    registerRoutes: (app, deps) => teams.registerRoutes(app, deps),
    async start({ dispatcher, worker }) {
      if (wechat && worker) {
        await wechat.start({ dispatcher });
        wechatStarted = true;
      }
    },
    async stop() {
      if (wechat && wechatStarted) await wechat.stop();
    },
    describe: () => ({
      teams: teams.describe(),
      wechat: !wechat ? '(not configured)' : wechatStarted ? wechat.describe() : '(runs with the worker)',
    }),
  };
}
