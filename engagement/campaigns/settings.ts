import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Channel, Language } from '../../core/domain.js';
import { durationField, formatIssues, timezoneField } from './yaml-schema.js';

export const DEFAULT_OUTREACH_PATH = fileURLToPath(new URL('../../config/outreach.yaml', import.meta.url));

/** Rules every campaign obeys (config/outreach.yaml). */
export interface OutreachSettings {
  optOut: { keywords: string[]; confirmation: Record<Language, string> };
  replyWindowMs: number;
  consentDefaults: { marketing: 'allow' | 'deny'; service: 'allow' | 'deny' };
  frequencyCap: { max: number; windowMs: number };
  rateLimits: Partial<Record<Channel, { max: number; perMs: number }>>;
  defaultTimezone: string;
  requiredPhrases: Record<'marketing' | 'service', Partial<Record<Language, string>>>;
  disclosures: Record<string, { triggers: string[]; zh: string; en: string }>;
}

export class OutreachConfigError extends Error {
  override readonly name = 'OutreachConfigError';
}

const bilingual = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
const schema = z.strictObject({
  optOut: z.strictObject({ keywords: z.array(z.string().min(1)).min(1), confirmation: bilingual }),
  replyWindow: durationField,
  consentDefaults: z.strictObject({ marketing: z.enum(['allow', 'deny']), service: z.enum(['allow', 'deny']) }),
  frequencyCap: z.strictObject({ max: z.number().int().min(0), window: durationField }),
  rateLimits: z.partialRecord(z.enum(['web', 'teams', 'wechat']), z.strictObject({ max: z.number().int().min(1), per: durationField })).default({}),
  defaultTimezone: timezoneField,
  requiredPhrases: z.strictObject({
    marketing: z.strictObject({ zh: z.string().optional(), en: z.string().optional() }).default({}),
    service: z.strictObject({ zh: z.string().optional(), en: z.string().optional() }).default({}),
  }),
  disclosures: z.record(z.string(), z.strictObject({ triggers: z.array(z.string().min(1)).min(1), zh: z.string().min(1), en: z.string().min(1) })).default({}),
});

export function parseOutreachSettings(text: string, source = 'outreach.yaml'): OutreachSettings {
  const parsed = schema.safeParse(parseYaml(text));
  if (!parsed.success) throw new OutreachConfigError(formatIssues(source, parsed.error));
  const d = parsed.data;
  return {
    optOut: d.optOut,
    replyWindowMs: d.replyWindow,
    consentDefaults: d.consentDefaults,
    frequencyCap: { max: d.frequencyCap.max, windowMs: d.frequencyCap.window },
    rateLimits: Object.fromEntries(Object.entries(d.rateLimits).map(([channel, r]) => [channel, { max: r.max, perMs: r.per }])),
    defaultTimezone: d.defaultTimezone,
    requiredPhrases: d.requiredPhrases,
    disclosures: d.disclosures,
  };
}

export function loadOutreachSettings(path: string = DEFAULT_OUTREACH_PATH): OutreachSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OutreachConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseOutreachSettings(text, path);
}
