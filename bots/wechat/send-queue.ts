import type { WechatSendSettings } from './settings.js';

export interface QueueClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemClock: QueueClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

const REMEMBER_SENT = 2000;

/**
 * Outbound WeChat sends, one FIFO line per contact or room, paced by a minimum interval plus jitter per line and a
 * token bucket over all lines.
 *
 * The queue is in memory and sits *in front of* the delivery record: a send counts as done only when the deliver
 * activity marks the record sent after `run` resolved. If the process dies with messages still queued, their
 * activities time out and Temporal retries them on the next worker, so nothing is lost; a message WeChat accepted
 * just before the crash may be sent a second time.
 *
 * Within one process a key is sent once: an activity retried while its first attempt still waits in line (a long
 * queue can outlast the activity timeout) joins that attempt instead of queueing a second copy.
 */
export class WechatSendQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly nextAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly sent = new Set<string>();
  private tokens: number;
  private refilledAt: number;
  private globalGate: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: WechatSendSettings,
    private readonly clock: QueueClock = systemClock,
  ) {
    this.tokens = settings.globalBurst;
    this.refilledAt = clock.now();
  }

  /** Runs `task` when `target` is due and a global slot is free; resolves or rejects with the task. */
  run(target: string, key: string, task: () => Promise<void>): Promise<void> {
    if (this.sent.has(key)) return Promise.resolve();
    const joined = this.inFlight.get(key);
    if (joined) return joined;

    const previous = this.tails.get(target) ?? Promise.resolve();
    const result = previous.then(() => this.turn(target, task));
    const tail = result.catch(() => undefined);
    this.tails.set(target, tail);
    this.inFlight.set(key, result);
    void tail.then(() => {
      if (this.tails.get(target) === tail) this.tails.delete(target);
      this.inFlight.delete(key);
    });
    result.then(() => this.remember(key), () => undefined);
    return result;
  }

  /** Contacts and rooms with a message waiting or being sent. */
  get queuedTargets(): number {
    return this.tails.size;
  }

  private async turn(target: string, task: () => Promise<void>): Promise<void> {
    const wait = (this.nextAt.get(target) ?? 0) - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    await this.globalSlot();
    try {
      await task();
    } finally {
      // A failed attempt reached WeChat too, so it spaces the next one just the same.
      const gap = this.settings.perContactIntervalMs + Math.floor(this.clock.random() * this.settings.jitterMs);
      this.nextAt.set(target, this.clock.now() + gap);
      this.prune();
    }
  }

  /** Slots are handed out in arrival order, so a busy contact cannot starve the others. */
  private globalSlot(): Promise<void> {
    const slot = this.globalGate.then(() => this.takeToken());
    this.globalGate = slot.catch(() => undefined);
    return slot;
  }

  private async takeToken(): Promise<void> {
    const perMs = this.settings.globalPerMinute / 60_000;
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.settings.globalBurst, this.tokens + (now - this.refilledAt) * perMs);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil((1 - this.tokens) / perMs));
    }
  }

  private remember(key: string): void {
    this.sent.add(key);
    if (this.sent.size > REMEMBER_SENT) this.sent.delete(this.sent.values().next().value as string);
  }

  private prune(): void {
    if (this.nextAt.size < 1000) return;
    const now = this.clock.now();
    for (const [target, at] of this.nextAt) if (at <= now && !this.tails.has(target)) this.nextAt.delete(target);
  }
}
