import { describe, expect, it } from 'vitest';
import { createMessageFeed } from '../bots/web/message-feed.js';
import type { StoredMessage } from '../core/domain.js';

function fakeStore() {
  const messages: StoredMessage[] = [];
  const calls: { conversationKey: string; afterSeq: number }[][] = [];
  return {
    messages,
    calls,
    add(conversationKey: string, text: string) {
      messages.push({ id: `m${messages.length + 1}`, conversationKey, role: 'bot', text, createdAt: new Date().toISOString(), seq: messages.length + 1 });
    },
    store: {
      async listMessagesSince(cursors: { conversationKey: string; afterSeq: number }[]) {
        calls.push(cursors);
        return messages.filter((m) => cursors.some((c) => c.conversationKey === m.conversationKey && m.seq > c.afterSeq));
      },
    },
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('shared event-stream poller', () => {
  it('when 300 streams are open, then one poll asks for all of them in one query and each stream gets only its own messages', async () => {
    const f = fakeStore();
    const feed = createMessageFeed({ store: f.store, pollMs: 5 });
    const got = new Map<string, string[]>();
    const subs = Array.from({ length: 300 }, (_, i) => feed.subscribe(`c${i}`, 0, (ms) => got.set(`c${i}`, [...(got.get(`c${i}`) ?? []), ...ms.map((m) => m.text)])));
    f.add('c7', 'hello seven');
    f.add('c250', 'hello 250');
    await until(() => got.size === 2);
    expect(got).toEqual(new Map([['c7', ['hello seven']], ['c250', ['hello 250']]]));
    expect(f.calls.every((c) => c.length === 300)).toBe(true);
    f.add('c7', 'again');
    await until(() => got.get('c7')?.length === 2);
    // The stream's cursor moved on: nothing is delivered twice.
    expect(got.get('c7')).toEqual(['hello seven', 'again']);
    for (const s of subs) s.close();
    expect(feed.size).toBe(0);
  });

  it('when two streams follow one conversation from different points, then each resumes after its own last event', async () => {
    const f = fakeStore();
    f.add('c1', 'one');
    f.add('c1', 'two');
    const feed = createMessageFeed({ store: f.store, pollMs: 5 });
    const fresh: string[] = [];
    const resumed: string[] = [];
    const a = feed.subscribe('c1', 0, (ms) => fresh.push(...ms.map((m) => m.text)));
    const b = feed.subscribe('c1', 1, (ms) => resumed.push(...ms.map((m) => m.text)));
    await until(() => fresh.length === 2 && resumed.length === 1);
    expect(fresh).toEqual(['one', 'two']);
    expect(resumed).toEqual(['two']);
    a.close();
    b.close();
  });

  it('when no stream is open, then the feed does not poll', async () => {
    const f = fakeStore();
    createMessageFeed({ store: f.store, pollMs: 1 });
    await new Promise((r) => setTimeout(r, 30));
    expect(f.calls).toEqual([]);
  });
});
