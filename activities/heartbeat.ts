import { Context } from '@temporalio/activity';

/**
 * Runs an activity body while telling Temporal every second that the worker is alive. With a `heartbeatTimeout` on
 * the activity, a worker that dies mid-activity (SIGKILL, lost machine) is noticed within that timeout and the
 * activity is retried elsewhere, instead of after its whole start-to-close timeout. Without one, beats cost nothing
 * (the SDK throttles and batches them).
 */
export async function withHeartbeat<T>(body: () => Promise<T>, everyMs = 1000): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return body(); // called outside an activity (a helper reused elsewhere): nothing to beat for
  }
  // A local activity lives inside its workflow task, which the SDK keeps alive itself.
  if (context.info.isLocal) return body();
  const beat = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await body();
  } finally {
    clearInterval(beat);
  }
}
