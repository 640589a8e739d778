import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { CampaignPlan } from '../../workflows/outreach-types.js';
import { complianceProblems } from './compliance.js';
import type { OutreachSettings } from './settings.js';
import { clockField, durationField, formatIssues, timezoneField } from './yaml-schema.js';

export const DEFAULT_CAMPAIGNS_DIR = fileURLToPath(new URL('../../config/campaigns/', import.meta.url));

/** A campaign file: the plan the workflows run, plus how it is started. */
export interface CampaignDefinition {
  plan: CampaignPlan;
  enabled: boolean;
  description: string;
  /** Cron (in `timezone`) of the Temporal Schedule that runs the campaign; absent = run by hand only. */
  schedule: { cron: string; timezone: string } | null;
  /** Re-evaluate the audience's flags before each run. */
  refreshFlags: boolean;
  file: string;
}

export class CampaignConfigError extends Error {
  override readonly name = 'CampaignConfigError';
}

const slug = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _');
const channel = z.enum(['wechat', 'teams', 'web']);
const stepSchema = z.strictObject({
  id: slug,
  delay: durationField.optional(),
  onlyIfNoReply: z.boolean().default(false),
  templates: z.strictObject({ zh: z.string().min(1).max(2000), en: z.string().min(1).max(2000) }),
});
const campaignSchema = z.strictObject({
  description: z.string().min(1),
  purpose: z.enum(['marketing', 'service']),
  enabled: z.boolean().default(true),
  schedule: z.strictObject({ cron: z.string().min(9), timezone: timezoneField.optional() }).optional(),
  audience: z.strictObject({
    flags: z.array(slug).default([]),
    tags: z.array(z.string().min(1)).default([]),
    tiers: z.array(slug).default([]),
    languages: z.array(z.enum(['zh', 'en'])).default([]),
    refreshFlags: z.boolean().default(true),
  }),
  channels: z.array(channel).min(1),
  quietHours: z.strictObject({ start: clockField, end: clockField }).nullable().default(null),
  timezone: timezoneField.optional(),
  caps: z.strictObject({
    frequency: z.array(z.strictObject({ max: z.number().int().min(0), window: durationField })).default([]),
    maxRecipientsPerRun: z.number().int().min(1).default(1000),
  }).default({ frequency: [], maxRecipientsPerRun: 1000 }),
  conversion: z.strictObject({ intents: z.array(z.string().min(1)).default([]) }).default({ intents: [] }),
  disclosures: z.array(z.string()).default([]),
  steps: z.array(stepSchema).min(1),
});

/** Parses and checks one campaign file; the name is the file's base name. */
export function parseCampaign(name: string, text: string, settings: OutreachSettings, file = `${name}.yaml`): CampaignDefinition {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new CampaignConfigError(`${file}: the file name must be a lower-case campaign name (letters, digits, - and _)`);
  const parsed = campaignSchema.safeParse(parseYaml(text));
  if (!parsed.success) throw new CampaignConfigError(formatIssues(file, parsed.error));
  const c = parsed.data;
  const ids = c.steps.map((s) => s.id);
  const problems = [
    ...ids.filter((id, i) => ids.indexOf(id) !== i).map((id) => `steps: duplicate step id "${id}"`),
    ...(c.audience.flags.length + c.audience.tags.length + c.audience.tiers.length === 0 ? ['audience: name at least one flag, tag or tier (a campaign to everyone is not allowed)'] : []),
    ...complianceProblems({ purpose: c.purpose, disclosures: c.disclosures, steps: c.steps }, settings),
  ];
  if (problems.length) throw new CampaignConfigError(`${file}: ${problems.join('; ')}`);
  const timezone = c.timezone ?? settings.defaultTimezone;
  return {
    file,
    enabled: c.enabled,
    description: c.description,
    refreshFlags: c.audience.refreshFlags,
    schedule: c.schedule ? { cron: c.schedule.cron, timezone: c.schedule.timezone ?? timezone } : null,
    plan: {
      name,
      purpose: c.purpose,
      audience: { flags: c.audience.flags, tags: c.audience.tags, tiers: c.audience.tiers, languages: c.audience.languages },
      channels: c.channels,
      quietHours: c.quietHours,
      defaultTimezone: timezone,
      frequencyCaps: c.caps.frequency.map((f) => ({ max: f.max, windowMs: f.window })),
      maxRecipientsPerRun: c.caps.maxRecipientsPerRun,
      conversionIntents: c.conversion.intents,
      steps: c.steps.map((s) => ({ id: s.id, delayMs: s.delay ?? 0, onlyIfNoReply: s.onlyIfNoReply, templates: s.templates })),
    },
  };
}

/** Every campaign in a folder (`<name>.yaml`; files starting with `_` or `.` are ignored), all errors at once. */
export function loadCampaigns(dir: string, settings: OutreachSettings): Map<string, CampaignDefinition> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !/^[_.]/.test(f)).sort();
  } catch (err) {
    throw new CampaignConfigError(`cannot read campaign folder ${dir}: ${(err as Error).message}`);
  }
  const out = new Map<string, CampaignDefinition>();
  const problems: string[] = [];
  for (const f of files) {
    const name = f.replace(/\.ya?ml$/, '');
    try {
      out.set(name, parseCampaign(name, readFileSync(path.join(dir, f), 'utf8'), settings, path.join(dir, f)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new CampaignConfigError(problems.join('\n'));
  return out;
}

export function loadCampaign(dir: string, name: string, settings: OutreachSettings): CampaignDefinition {
  for (const ext of ['yaml', 'yml']) {
    const file = path.join(dir, `${name}.${ext}`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    return parseCampaign(name, text, settings, file);
  }
  throw new CampaignConfigError(`no campaign "${name}" in ${dir} (expected ${name}.yaml)`);
}
