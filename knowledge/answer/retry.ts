/** Bounded retries with exponential backoff and jitter, for calls to a model API. */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No attempt starts after this moment (epoch ms); the caller falls back instead. */
  deadline?: number;
}

export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(readonly attempts: number, readonly last: unknown) {
    super(`gave up after ${attempts} attempt(s): ${last instanceof Error ? last.message : String(last)}`);
  }
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = 'status' in err ? err.status : 'response' in err && typeof err.response === 'object' && err.response !== null && 'status' in err.response ? err.response.status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Worth retrying: rate limits (429), server errors (5xx), timeouts, dropped connections, unparseable or unusable
 * replies — anything without an HTTP status, since the retries are bounded anyway. Not: other 4xx (bad key,
 * unknown model, request too large), which fail the same way every time.
 */
export function isRetryable(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return status === 408 || status === 409 || status === 429 || status >= 500;
  return true;
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  let last: unknown;
  let attempts = 0;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (attempt > 0) {
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = backoff * (0.8 + Math.random() * 0.4);
      if (policy.deadline !== undefined && Date.now() + delay >= policy.deadline) break;
      await sleep(delay);
    }
    attempts += 1;
    try {
      return await fn(attempt);
    } catch (err) {
      last = err;
      if (!isRetryable(err)) throw new RetriesExhaustedError(attempts, err);
    }
  }
  throw new RetriesExhaustedError(attempts, last);
}
