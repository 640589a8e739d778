import { describe, expect, it } from 'vitest';
import { WechatSendQueue, type QueueClock } from '../bots/wechat/send-queue.js';
import type { WechatSendSettings } from '../bots/wechat/settings.js';

/** Virtual time: sleeping registers a timer, `drain` fires timers in time order until the given promise settles. */
function virtualClock(randomValues: number[] = []) {
  let now = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  const clock: QueueClock = {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: now + ms, resolve })),
    random: () => randomValues.shift() ?? 0,
  };
  const flush = () => new Promise((r) => setImmediate(r));
  return {
    clock,
    now: () => now,
    async drain<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const settle = () => {
        done = true;
      };
      void work.then(settle, settle);
      for (let i = 0; i < 10_000 && !done; i++) {
        await flush();
        if (done) break;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) continue;
        now = Math.max(now, next.at);
        next.resolve();
      }
      return work;
    },
  };
}

const settings = (s: Partial<WechatSendSettings> = {}): WechatSendSettings => ({
  perContactIntervalMs: 1000, jitterMs: 500, globalPerMinute: 600, globalBurst: 100, ...s,
});

describe('WeChat send queue', () => {
  it('when several messages to one contact are queued at once, then they go out in order, each interval plus jitter apart', async () => {
    const v = virtualClock([0.5, 0, 0.999, 0.2]);
    const queue = new WechatSendQueue(settings(), v.clock);
    const sent: [string, number][] = [];
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => queue.run('alice', `k${i}`, async () => {
      sent.push([`m${i}`, v.now()]);
    })));
    await v.drain(all);
    expect(sent.map(([m]) => m)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    // Gaps: 1000 + 0.5*500, 1000 + 0, 1000 + floor(0.999*500), 1000 + 0.2*500.
    expect(sent.map(([, at]) => at)).toEqual([0, 1250, 2250, 3749, 4849]);
  });

  it('when different contacts are queued, then they do not wait for each other', async () => {
    const v = virtualClock();
    const queue = new WechatSendQueue(settings(), v.clock);
    const sent: [string, number][] = [];
    const send = (to: string, key: string) => queue.run(to, key, async () => {
      sent.push([to, v.now()]);
    });
    await v.drain(Promise.all([send('alice', 'a1'), send('bob', 'b1'), send('alice', 'a2'), send('carol', 'c1')]));
    expect(sent).toEqual([['alice', 0], ['bob', 0], ['carol', 0], ['alice', 1000]]);
  });

  it('when a burst spans many contacts, then the global token bucket caps the rate', async () => {
    const v = virtualClock();
    const queue = new WechatSendQueue(settings({ globalPerMinute: 60, globalBurst: 3 }), v.clock);
    const times: number[] = [];
    await v.drain(Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((to) => queue.run(to, to, async () => {
      times.push(v.now());
    }))));
    expect(times).toEqual([0, 0, 0, 1000, 2000, 3000]);
  });

  it('when the same key is queued again while waiting, or after it was sent, then it is sent once', async () => {
    const v = virtualClock();
    const queue = new WechatSendQueue(settings(), v.clock);
    let sends = 0;
    const task = async () => {
      sends += 1;
    };
    await v.drain(Promise.all([queue.run('alice', 'first', task), queue.run('alice', 'reply:1', task), queue.run('alice', 'reply:1', task)]));
    await v.drain(queue.run('alice', 'reply:1', task));
    expect(sends).toBe(2);
  });

  it('when a send fails, then the error reaches the caller, the contact still gets its pause, and a retry sends again', async () => {
    const v = virtualClock();
    const queue = new WechatSendQueue(settings({ jitterMs: 0 }), v.clock);
    const attempts: number[] = [];
    let fail = true;
    const task = async () => {
      attempts.push(v.now());
      if (fail) throw new Error('network down');
    };
    await expect(v.drain(queue.run('alice', 'reply:1', task))).rejects.toThrow('network down');
    fail = false;
    await v.drain(queue.run('alice', 'reply:1', task));
    expect(attempts).toEqual([0, 1000]);
  });
});
