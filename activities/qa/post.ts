import type { Store } from '../../core/store/index.js';
import type { QaAlertSink, QaPost, QaPostRef } from './alert-sink.js';

export interface PostDeps {
  store: Pick<Store, 'claimQaAlert' | 'markQaAlertSent' | 'markQaAlertFailed' | 'getQaAlert'>;
  sink: QaAlertSink;
}

/** The idempotency key of the alert for a result: later posts about it (disputes, decisions) thread under it. */
export const alertKey = (resultId: string) => `alert:${resultId}`;

/** A stored post reference read back from JSON. */
function toPostRef(ref: Record<string, unknown> | null): QaPostRef | undefined {
  if (!ref || (ref.sink !== 'slack' && ref.sink !== 'local')) return undefined;
  return {
    sink: ref.sink,
    ...(typeof ref.channel === 'string' ? { channel: ref.channel } : {}),
    ...(typeof ref.ts === 'string' ? { ts: ref.ts } : {}),
  };
}

/**
 * Posts once per key: the row is claimed (and, for the local sink, *is* the post) before the sink is called, and a
 * key already sent is not posted again, so activity retries and a workflow started twice post one message.
 * A failed post is recorded on the row and rethrown for the caller's retry policy.
 */
export async function postToQaChannel(
  deps: PostDeps,
  input: { key: string; post: QaPost; resultId?: string | null; threadKey?: string },
): Promise<{ ref: QaPostRef; alreadySent: boolean }> {
  const row = await deps.store.claimQaAlert({ key: input.key, kind: input.post.kind, resultId: input.resultId, sink: deps.sink.kind, payload: input.post });
  const sent = row.status === 'sent' ? toPostRef(row.ref) : undefined;
  if (sent) return { ref: sent, alreadySent: true };
  const parent = input.threadKey ? await deps.store.getQaAlert(input.threadKey) : null;
  const thread = parent?.status === 'sent' ? toPostRef(parent.ref) : undefined;
  try {
    const ref = await deps.sink.post(input.post, thread);
    await deps.store.markQaAlertSent(input.key, { ...ref });
    return { ref, alreadySent: false };
  } catch (err) {
    await deps.store.markQaAlertFailed(input.key, (err as Error).message ?? String(err));
    throw err;
  }
}
