import { mkdirSync } from 'node:fs';
import { WechatyBuilder, type Message, type OfficialPuppetNpmName, type Wechaty, type WechatyOptions } from 'wechaty';
import { ConfigError, dataPath, type Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { ChannelSender } from '../channel.js';
import type { Dispatcher } from '../dispatch.js';
import { toInboundMessage } from './inbound.js';
import { createWechatSender } from './sender.js';
import { WechatSendQueue, type QueueClock } from './send-queue.js';
import { WechatSession } from './session.js';
import { loadWechatSettings, type WechatSendSettings, type WechatSessionSettings } from './settings.js';

/** A puppet instance, for tests (wechaty-puppet-mock) or embedding. */
export type WechatyPuppet = Exclude<NonNullable<WechatyOptions['puppet']>, string>;

/** Puppets documented in docs/CHANNELS.md; each must be installed separately except service and mock. */
const KNOWN_PUPPETS = [
  'wechaty-puppet-service',
  'wechaty-puppet-padlocal',
  'wechaty-puppet-xp',
  'wechaty-puppet-wechat4u',
  'wechaty-puppet-wechat',
  'wechaty-puppet-mock',
] as const satisfies readonly OfficialPuppetNpmName[];
type KnownPuppet = (typeof KNOWN_PUPPETS)[number];
const isKnownPuppet = (name: string): name is KnownPuppet => (KNOWN_PUPPETS as readonly string[]).includes(name);

export interface WechatOverrides {
  puppet?: WechatyPuppet;
  send?: Partial<WechatSendSettings>;
  session?: Partial<WechatSessionSettings>;
  clock?: QueueClock;
}

export interface WechatChannel {
  sender: ChannelSender;
  session: WechatSession;
  describe(): string;
  start(deps: { dispatcher: Dispatcher }): Promise<void>;
  stop(): Promise<void>;
}

type WechatConfig = Pick<Config, 'WECHATY_PUPPET' | 'WECHATY_PUPPET_SERVICE_TOKEN' | 'WECHATY_NAME' | 'KEFU_DATA_DIR'>;

function buildWechaty(config: WechatConfig, puppet: WechatyPuppet | undefined): Wechaty {
  if (puppet) return WechatyBuilder.build({ puppet });
  const name = config.WECHATY_PUPPET ?? '';
  if (!isKnownPuppet(name)) {
    throw new ConfigError([{ variable: 'WECHATY_PUPPET', message: `unsupported puppet "${name}" (use one of ${KNOWN_PUPPETS.join(', ')})` }]);
  }
  // The memory card keeps the login session across restarts, next to the rest of the platform's data.
  const inMemory = config.KEFU_DATA_DIR.startsWith('memory://');
  if (!inMemory) mkdirSync(dataPath(config, 'wechaty'), { recursive: true });
  return WechatyBuilder.build({
    name: inMemory ? undefined : dataPath(config, 'wechaty', config.WECHATY_NAME),
    puppet: name,
    puppetOptions: config.WECHATY_PUPPET_SERVICE_TOKEN ? { token: config.WECHATY_PUPPET_SERVICE_TOKEN } : undefined,
  });
}

/** Inbound messages of one conversation are handed over in the order WeChat delivered them. */
function inOrder() {
  const tails = new Map<string, Promise<void>>();
  return (key: string, work: () => Promise<void>): Promise<void> => {
    const result = (tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}

/**
 * WeChat through wechaty: one logged-in account (a single session: run it in exactly one process), inbound messages
 * handed to the dispatcher, replies sent through a per-contact rate-limited queue.
 */
export function createWechatChannel(config: WechatConfig, logger: Logger, overrides: WechatOverrides = {}): WechatChannel {
  const settings = loadWechatSettings();
  const log = logger.child({ channel: 'wechat' });
  const queue = new WechatSendQueue({ ...settings.send, ...overrides.send }, overrides.clock);
  let dispatcher: Dispatcher | undefined;
  const serial = inOrder();

  async function accept(message: Message): Promise<void> {
    const inbound = await toInboundMessage(message);
    if (!inbound) return;
    if (!dispatcher) throw new Error('WeChat message arrived before the channel was started');
    const d = dispatcher;
    // WeChat never delivers a message twice, so a database or Temporal hiccup must not drop it: retry for a while.
    for (let attempt = 1; ; attempt++) {
      try {
        await d.accept(inbound);
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        log.warn({ err, attempt, messageId: inbound.messageId }, 'WeChat message not stored yet; retrying');
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  }

  const session = new WechatSession(buildWechaty(config, overrides.puppet), {
    logger: log,
    settings: { ...settings.session, ...overrides.session },
    onMessage: (message) => {
      const room = message.room();
      return serial(room ? `${room.id}/${message.talker().id}` : message.talker().id, () => accept(message));
    },
  });

  return {
    sender: createWechatSender({ session, queue, logger: log }),
    session,
    describe: () => `${overrides.puppet ? 'injected puppet' : config.WECHATY_PUPPET} (${session.status})`,
    async start(deps) {
      dispatcher = deps.dispatcher;
      if (!overrides.puppet && config.WECHATY_PUPPET && config.WECHATY_PUPPET !== 'wechaty-puppet-service' && config.WECHATY_PUPPET !== 'wechaty-puppet-mock') {
        // Other puppets are optional installs; say so instead of restarting forever on a missing module.
        try {
          await import(config.WECHATY_PUPPET);
        } catch {
          log.error({ puppet: config.WECHATY_PUPPET }, `WeChat not started: install the puppet first (npm install ${config.WECHATY_PUPPET})`);
          return;
        }
      }
      await session.start();
    },
    stop: () => session.stop(),
  };
}
