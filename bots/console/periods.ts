import type { Period } from '../../core/store/metrics.js';

/** The overview's selectable periods and the chart bucket each one uses (about 12–30 bars). */
export const PERIODS = {
  '1h': { ms: 3_600_000, bucketSeconds: 300 },
  '24h': { ms: 86_400_000, bucketSeconds: 3_600 },
  '7d': { ms: 7 * 86_400_000, bucketSeconds: 6 * 3_600 },
  '30d': { ms: 30 * 86_400_000, bucketSeconds: 86_400 },
} as const;

export type PeriodName = keyof typeof PERIODS;

export const isPeriodName = (v: unknown): v is PeriodName => typeof v === 'string' && v in PERIODS;

/** The period ending now; its start is aligned to the bucket so bars do not shift on every refresh. */
export function periodEndingNow(name: PeriodName, now = Date.now()): Period {
  const { ms, bucketSeconds } = PERIODS[name];
  const bucketMs = bucketSeconds * 1000;
  const to = new Date(Math.ceil(now / bucketMs) * bucketMs);
  return { from: new Date(to.getTime() - ms), to, bucketSeconds };
}
