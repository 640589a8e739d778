import { z } from 'zod';
import { ConfigError } from '../../core/config.js';
import { parseDuration } from '../../core/duration.js';

/**
 * How fast the bot may send on WeChat. Personal-account bots that answer in bursts get restricted or banned, so
 * every send waits for its contact's (or room's) turn and for a slot under a global cap, with random jitter so the
 * rhythm does not look machine-made.
 */
export interface WechatSendSettings {
  /** Minimum gap between two messages to the same contact or room. */
  perContactIntervalMs: number;
  /** Up to this much random delay is added to each gap. */
  jitterMs: number;
  /** Messages per minute over all contacts (token bucket refill rate). */
  globalPerMinute: number;
  /** Messages that may go out back to back before the global rate applies (token bucket size). */
  globalBurst: number;
}

export interface WechatSessionSettings {
  /** First and longest wait before the WeChat session is restarted after a logout or a failed start. */
  restartInitialMs: number;
  restartMaxMs: number;
  /** A start that produced neither a QR code nor a login within this time is treated as failed. */
  startTimeoutMs: number;
}

const duration = (fallback: string) =>
  z.preprocess((v) => (v === undefined || v === '' ? fallback : v), z.string()).transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
const int = (fallback: number, min: number) => z.preprocess((v) => (v === undefined || v === '' ? fallback : Number(v)), z.number().int().min(min));

// Named after the channel rather than the SDK (WECHATY_* belongs to wechaty itself).
const schema = z.object({
  WECHAT_SEND_INTERVAL: duration('3s'),
  WECHAT_SEND_JITTER: duration('2s'),
  WECHAT_SEND_PER_MINUTE: int(20, 1),
  WECHAT_SEND_BURST: int(3, 1),
  WECHAT_RESTART_BACKOFF: duration('2s'),
  WECHAT_RESTART_BACKOFF_MAX: duration('5m'),
  WECHAT_START_TIMEOUT: duration('2m'),
});

export function loadWechatSettings(env: NodeJS.ProcessEnv = process.env): { send: WechatSendSettings; session: WechatSessionSettings } {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: i.path.map(String).join('.'), message: i.message })));
  }
  const c = parsed.data;
  return {
    send: { perContactIntervalMs: c.WECHAT_SEND_INTERVAL, jitterMs: c.WECHAT_SEND_JITTER, globalPerMinute: c.WECHAT_SEND_PER_MINUTE, globalBurst: c.WECHAT_SEND_BURST },
    session: { restartInitialMs: c.WECHAT_RESTART_BACKOFF, restartMaxMs: c.WECHAT_RESTART_BACKOFF_MAX, startTimeoutMs: c.WECHAT_START_TIMEOUT },
  };
}
