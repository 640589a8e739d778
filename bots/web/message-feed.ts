import type { StoredMessage } from '../../core/domain.js';
import type { Store } from '../../core/store/index.js';

interface Subscriber {
  conversationKey: string;
  after: number;
  deliver(messages: StoredMessage[]): void;
}

// Cursors per query: keeps one poll's statement and result small even with thousands of open streams.
const BATCH = 500;

/**
 * One poller for all of a gateway's open event streams: each tick reads the new messages of every watched
 * conversation in one query (per 500 conversations), instead of one query per stream per tick. Stops polling when
 * no stream is open.
 */
export function createMessageFeed(deps: { store: Pick<Store, 'listMessagesSince'>; pollMs: number; onError?: (err: unknown) => void }) {
  const subscribers = new Set<Subscriber>();
  let timer: NodeJS.Timeout | undefined;

  async function poll(): Promise<void> {
    const cursors = new Map<string, number>();
    for (const s of subscribers) cursors.set(s.conversationKey, Math.min(cursors.get(s.conversationKey) ?? Number.MAX_SAFE_INTEGER, s.after));
    const all = [...cursors].map(([conversationKey, afterSeq]) => ({ conversationKey, afterSeq }));
    const found = new Map<string, StoredMessage[]>();
    for (let i = 0; i < all.length; i += BATCH) {
      for (const m of await deps.store.listMessagesSince(all.slice(i, i + BATCH))) {
        const list = found.get(m.conversationKey) ?? [];
        list.push(m);
        found.set(m.conversationKey, list);
      }
    }
    for (const s of subscribers) {
      const fresh = (found.get(s.conversationKey) ?? []).filter((m) => m.seq > s.after);
      if (fresh.length === 0) continue;
      s.after = fresh[fresh.length - 1]!.seq;
      s.deliver(fresh);
    }
  }

  function schedule(): void {
    if (timer || subscribers.size === 0) return;
    timer = setTimeout(() => {
      void poll()
        .catch((err: unknown) => deps.onError?.(err))
        .finally(() => {
          timer = undefined;
          schedule();
        });
    }, deps.pollMs);
    timer.unref();
  }

  return {
    /** Calls `deliver` with each batch of messages after `after` (a sequence number), in order, until closed. */
    subscribe(conversationKey: string, after: number, deliver: (messages: StoredMessage[]) => void): { close(): void } {
      const s: Subscriber = { conversationKey, after, deliver };
      subscribers.add(s);
      schedule();
      return { close: () => subscribers.delete(s) };
    },
    get size() {
      return subscribers.size;
    },
  };
}
