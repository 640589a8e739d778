import { PermanentDeliveryError } from '../channel.js';

const statusOf = (err: unknown): number | undefined => {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
};

/**
 * Sorts a failed Bot Connector call. 4xx means the connector will never take this message (bot removed or blocked
 * by the user, conversation gone, malformed activity): permanent. 408, 429, 5xx and network errors are worth a
 * retry: they are rethrown as ordinary errors so the deliver activity backs off and tries again.
 *
 * Note: the connector SDK itself already retries 5xx and network errors three times (about 6 s) before it throws.
 */
export function classifyTeamsError(err: unknown): Error {
  const status = statusOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new PermanentDeliveryError(`Teams connector refused the message (HTTP ${status}): ${detail}`);
  }
  return new Error(status ? `Teams connector error (HTTP ${status}): ${detail}` : `Teams send failed: ${detail}`, { cause: err });
}
