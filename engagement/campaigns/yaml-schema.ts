import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';

/** "7d", "30s"… → milliseconds, as a zod field so YAML mistakes are reported with their path. */
export const durationField = z.string().transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const timezoneField = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. Asia/Shanghai)');

/** "HH:MM" or "HH:MM:SS" local time. */
export const clockField = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'use HH:MM (24-hour)');

export const formatIssues = (source: string, error: z.ZodError) =>
  `${source}: ${error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`;
