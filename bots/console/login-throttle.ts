/**
 * Slows password guessing: after `maxFailures` failed sign-ins for one name from one address within `windowMs`,
 * further attempts are refused until the window moves on. In memory, per gateway: enough against a script, and a
 * person who mistypes a few times is not locked out for long.
 */
export function createLoginThrottle(opts: { maxFailures?: number; windowMs?: number; now?: () => number } = {}) {
  const maxFailures = opts.maxFailures ?? 10;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const now = opts.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (key: string) => (failures.get(key) ?? []).filter((t) => t > now() - windowMs);

  return {
    /** Milliseconds until another attempt is allowed; 0 when allowed now. */
    retryAfterMs(key: string): number {
      const times = recent(key);
      if (times.length < maxFailures) return 0;
      return Math.max(0, (times[times.length - maxFailures] as number) + windowMs - now());
    },
    fail(key: string) {
      const times = recent(key);
      times.push(now());
      failures.set(key, times);
      // Bounded memory under a spray of names: forget the oldest keys.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
    },
    succeed(key: string) {
      failures.delete(key);
    },
  };
}
