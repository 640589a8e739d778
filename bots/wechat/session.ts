import { ScanStatus, type Message, type Wechaty } from 'wechaty';
import type { Logger } from '../../core/logger.js';
import { WechatNotReadyError } from './errors.js';
import type { WechatSessionSettings } from './settings.js';

const HEALTH_CHECK_MS = 30_000;

/** A link that renders the login QR code, so an operator can scan it from the log without a terminal QR renderer. */
export function qrcodeLink(qrcode: string): string {
  return `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`;
}

export type WechatSessionState = 'stopped' | 'starting' | 'scanning' | 'online' | 'offline';

/**
 * Keeps one WeChat account logged in. A logout, a start that never reaches a QR code or a login, or a login lost
 * without notice (network loss the puppet did not recover from) restarts the wechaty instance with exponential
 * backoff; a successful login resets the backoff. Messages are handed to `onMessage` one by one as they arrive.
 */
export class WechatSession {
  private state: WechatSessionState = 'stopped';
  private stopping = false;
  private restarting = false;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  private startTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  /** How many times the session was restarted (for status output and tests). */
  restarts = 0;

  constructor(
    readonly bot: Wechaty,
    private readonly deps: { logger: Logger; settings: WechatSessionSettings; onMessage: (message: Message) => Promise<void> },
  ) {
    const { logger } = deps;
    bot.on('scan', (qrcode, status) => {
      this.state = 'scanning';
      this.clearStartTimer();
      if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
        logger.info({ qrcode: qrcodeLink(qrcode) }, 'WeChat login: open the link and scan the QR code with the WeChat app of the service account');
      } else {
        logger.debug({ status: ScanStatus[status] }, 'WeChat login QR code status');
      }
    });
    bot.on('login', (user) => {
      this.state = 'online';
      this.failures = 0;
      this.clearStartTimer();
      logger.info({ account: user.name() }, 'WeChat logged in');
    });
    bot.on('logout', (user, reason) => {
      this.state = 'offline';
      logger.warn({ account: user.name(), reason }, 'WeChat logged out');
      this.scheduleRestart('logout');
    });
    bot.on('error', (err) => {
      logger.warn({ err }, 'WeChat error');
      if (this.state === 'online' && !bot.isLoggedIn) this.scheduleRestart('connection lost');
    });
    bot.on('stop', () => {
      if (!this.stopping && !this.restarting) this.scheduleRestart('stopped unexpectedly');
    });
    bot.on('message', (message) => {
      deps.onMessage(message).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'WeChat message not accepted'));
    });
  }

  get status(): WechatSessionState {
    return this.state;
  }

  /** The bot, when it can send; a retryable error while logged out or reconnecting. */
  ready(): Wechaty {
    if (!this.bot.isLoggedIn) throw new WechatNotReadyError(`WeChat is not logged in (session ${this.state})`);
    return this.bot;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.healthTimer = setInterval(() => {
      if (this.state === 'online' && !this.bot.isLoggedIn) this.scheduleRestart('login lost');
    }, HEALTH_CHECK_MS);
    this.healthTimer.unref();
    await this.boot();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.healthTimer);
    this.clearStartTimer();
    this.restartTimer = undefined;
    this.state = 'stopped';
    await this.bot.stop().catch((err: unknown) => this.deps.logger.warn({ err }, 'WeChat did not stop cleanly'));
  }

  private async boot(): Promise<void> {
    this.state = 'starting';
    try {
      await this.bot.start();
    } catch (err) {
      this.deps.logger.warn({ err }, 'WeChat failed to start');
      this.scheduleRestart('start failed');
      return;
    }
    if (this.bot.isLoggedIn || this.state !== 'starting') return;
    // wechaty reports a puppet that cannot connect as an error event, not a failed start: watch for progress.
    this.startTimer = setTimeout(() => {
      if (this.state === 'starting' && !this.bot.isLoggedIn) this.scheduleRestart('no QR code and no login after start');
    }, this.deps.settings.startTimeoutMs);
    this.startTimer.unref();
  }

  private scheduleRestart(reason: string): void {
    if (this.stopping || this.restartTimer) return;
    const { restartInitialMs, restartMaxMs } = this.deps.settings;
    const base = Math.min(restartMaxMs, restartInitialMs * 2 ** this.failures);
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.failures += 1;
    this.state = 'offline';
    this.deps.logger.warn({ reason, delayMs, attempt: this.failures }, 'WeChat session will restart');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, delayMs);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    this.restarting = true;
    try {
      await this.bot.stop();
    } catch (err) {
      this.deps.logger.debug({ err }, 'WeChat stop before restart failed');
    } finally {
      this.restarting = false;
    }
    if (this.stopping) return;
    this.restarts += 1;
    await this.boot();
  }

  private clearStartTimer(): void {
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
  }
}
