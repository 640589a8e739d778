import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues, timezoneField } from '../campaigns/yaml-schema.js';

export const DEFAULT_INSIGHTS_PATH = fileURLToPath(new URL('../../config/insights.yaml', import.meta.url));

export interface InsightsSettings {
  schedule: { cron: string; timezone: string };
  baselineWeeks: number;
  rising: { fdr: number; minCount: number; minRatio: number; maxTopics: number; mergeOverlap: number };
  unanswered: { similarity: number; minClusterSize: number; maxClusters: number; examples: number; ignoreIntents: string[] };
  topics: { stopwords: string[] };
}

export class InsightsConfigError extends Error {
  override readonly name = 'InsightsConfigError';
}

const fraction = z.number().gt(0).lte(1);
const schema = z.strictObject({
  schedule: z.strictObject({ cron: z.string().min(9), timezone: timezoneField }),
  baselineWeeks: z.number().int().min(1).max(26),
  rising: z.strictObject({ fdr: fraction, minCount: z.number().int().min(1), minRatio: z.number().min(1), maxTopics: z.number().int().min(1), mergeOverlap: fraction }),
  unanswered: z.strictObject({
    similarity: fraction,
    minClusterSize: z.number().int().min(2),
    maxClusters: z.number().int().min(1),
    examples: z.number().int().min(1).max(10),
    ignoreIntents: z.array(z.string()).default([]),
  }),
  topics: z.strictObject({ stopwords: z.array(z.string()).default([]) }),
});

export function parseInsightsSettings(text: string, source = 'insights.yaml'): InsightsSettings {
  const parsed = schema.safeParse(parseYaml(text));
  if (!parsed.success) throw new InsightsConfigError(formatIssues(source, parsed.error));
  return parsed.data;
}

export function loadInsightsSettings(path: string = DEFAULT_INSIGHTS_PATH): InsightsSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InsightsConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseInsightsSettings(text, path);
}
