import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { issuePath } from './issues.js';
import { compilePattern } from './text-match.js';

/**
 * The QA scorecard: what a conversation is checked against. QA leads edit it as YAML (config/qa-scorecard.yaml);
 * it is validated strictly at load (unknown keys are errors) because a typo such as `wieght:` silently ignored
 * would change every score without anyone noticing.
 */

export const DEFAULT_SCORECARD_PATH = fileURLToPath(new URL('../../config/qa-scorecard.yaml', import.meta.url));

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const phraseSetSchema = z
  .strictObject({
    zh: z.array(nonEmpty).default([]),
    en: z.array(nonEmpty).default([]),
    patterns: z.array(nonEmpty).default([]),
  })
  .superRefine((set, ctx) => {
    if (set.zh.length + set.en.length + set.patterns.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs at least one phrase in zh, en or patterns' });
    }
    set.patterns.forEach((pattern, i) => {
      try {
        compilePattern(pattern);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['patterns', i], message: `invalid regular expression: ${(err as Error).message}` });
      }
    });
  });

const staffRoles = z.array(z.enum(['bot', 'agent'])).min(1, 'list at least one of bot, agent');

const common = {
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and _ (e.g. risk_disclosure)'),
  name: nonEmpty,
  description: z.string().optional(),
  severity: z.enum(['critical', 'major', 'minor']),
  weight: z.number().positive('must be greater than 0'),
  /** Whose messages the criterion is about. A criterion whose roles never spoke is not applicable. */
  roles: staffRoles.default(['bot', 'agent']),
  /** Only apply to conversations in these languages (all when absent). */
  languages: z.array(z.enum(['zh', 'en'])).min(1).optional(),
};

const mustSaySchema = z.strictObject({
  ...common,
  kind: z.literal('rule'),
  check: z.literal('must_say'),
  phrases: phraseSetSchema,
  /** Which of the roles' messages are searched: the first or last N of them. */
  window: z
    .strictObject({ from: z.enum(['start', 'end']), messages: z.number().int().min(1) })
    .default({ from: 'start', messages: 1 }),
  /** Also accept a message that contains the agent's own name (the `agent` field): "Alice here". */
  acceptAgentName: z.boolean().default(false),
});

const disclosureSchema = z.strictObject({
  ...common,
  kind: z.literal('rule'),
  check: z.literal('disclosure'),
  /** Wording that makes the disclosure necessary (the topic being discussed). */
  when: phraseSetSchema,
  /** Whose messages can raise the topic. */
  triggerRoles: z.array(z.enum(['customer', 'bot', 'agent'])).min(1).default(['customer', 'bot', 'agent']),
  /** Wording one of `roles` must say, in the triggering message or after it. */
  require: phraseSetSchema,
});

const forbiddenSchema = z.strictObject({
  ...common,
  kind: z.literal('rule'),
  check: z.literal('forbidden'),
  phrases: phraseSetSchema,
  /** Ignore a phrase denied in the same clause (不保本, "no guaranteed returns"). */
  ignoreNegated: z.boolean().default(true),
});

const firstResponseSchema = z.strictObject({
  ...common,
  kind: z.literal('rule'),
  check: z.literal('first_response_time'),
  maxSeconds: z.number().positive('must be greater than 0'),
});

const replyTimeSchema = z.strictObject({
  ...common,
  kind: z.literal('rule'),
  check: z.literal('reply_time'),
  maxSeconds: z.number().positive('must be greater than 0'),
  /** How many slow replies are tolerated before the criterion fails. */
  allowedBreaches: z.number().int().min(0).default(0),
});

const judgedSchema = z.strictObject({
  ...common,
  kind: z.literal('judged'),
  /** What the judge is asked to decide; written for a person, sent to the LLM as is. */
  rubric: z.string().trim().min(10, 'describe what a pass looks like (at least 10 characters)'),
  /** Give the judge knowledge-base excerpts; without them the criterion is left unjudged. */
  needsKnowledge: z.boolean().default(false),
});

const ruleCriterionSchema = z.discriminatedUnion(
  'check',
  [mustSaySchema, disclosureSchema, forbiddenSchema, firstResponseSchema, replyTimeSchema],
  { error: 'check must be one of must_say, disclosure, forbidden, first_response_time, reply_time' },
);

const criterionSchema = z.discriminatedUnion('kind', [ruleCriterionSchema, judgedSchema], {
  error: 'kind must be rule or judged',
});

const judgeSettingsSchema = z.strictObject({
  /** Model name; the platform's LLM_MODEL when absent. */
  model: nonEmpty.optional(),
  /**
   * How structured output is requested. functionCalling works with most OpenAI-compatible servers (DeepSeek,
   * Qwen, vLLM); jsonSchema needs `response_format: json_schema` support.
   */
  method: z.enum(['functionCalling', 'jsonSchema']).default('functionCalling'),
  /** Attempts per criterion when the judge's answer is malformed. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  temperature: z.number().min(0).max(2).optional(),
});

export const scorecardSchema = z
  .strictObject({
    version: z.literal(1, 'only version 1 is supported'),
    name: nonEmpty,
    /** Minimum score (0-100) for a conversation to pass; a failed critical criterion fails it regardless. */
    passScore: z.number().min(0).max(100).default(80),
    judge: judgeSettingsSchema.default({ method: 'functionCalling', maxAttempts: 3 }),
    criteria: z.array(criterionSchema).min(1, 'list at least one criterion'),
  })
  .superRefine((card, ctx) => {
    const seen = new Set<string>();
    card.criteria.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'id'], message: `duplicate id "${c.id}"` });
      seen.add(c.id);
    });
  });

export type Scorecard = z.output<typeof scorecardSchema>;
export type Criterion = Scorecard['criteria'][number];
export type JudgedCriterion = Extract<Criterion, { kind: 'judged' }>;
export type RuleCriterion = Extract<Criterion, { kind: 'rule' }>;
export type Severity = Criterion['severity'];
export type JudgeSettings = Scorecard['judge'];

export class ScorecardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScorecardError';
  }
}

/** Names the criterion by id in error paths: "criteria[3] (risk_disclosure).weight" beats "criteria[3].weight". */
function describePath(path: readonly PropertyKey[], raw: unknown): string {
  const text = issuePath(path);
  if (path[0] !== 'criteria' || typeof path[1] !== 'number') return text;
  const criteria = (raw as { criteria?: unknown } | null)?.criteria;
  const entry = Array.isArray(criteria) ? (criteria[path[1]] as { id?: unknown } | undefined) : undefined;
  if (typeof entry?.id !== 'string') return text;
  const head = `criteria[${path[1]}]`;
  return `${head} (${entry.id})${text.slice(head.length)}`;
}

/**
 * Duplicate ids read from the raw input: zod skips the schema-level check while any criterion is invalid, and a
 * QA lead should get every problem in one go.
 */
function duplicateIdLines(raw: unknown): string[] {
  const criteria = (raw as { criteria?: unknown } | null)?.criteria;
  if (!Array.isArray(criteria)) return [];
  const seen = new Set<unknown>();
  return criteria.flatMap((entry: unknown, i) => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return [];
    const duplicate = seen.has(id);
    seen.add(id);
    return duplicate ? [`  - criteria[${i}] (${id}).id: duplicate id "${id}"`] : [];
  });
}

export function validateScorecard(raw: unknown, source: string): Scorecard {
  const parsed = scorecardSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  - ${describePath(issue.path, raw)}: ${issue.message}`);
  const all = [...new Set([...lines, ...duplicateIdLines(raw)])];
  throw new ScorecardError(`${source} is not a valid scorecard:\n${all.join('\n')}`);
}

export function parseScorecard(yamlText: string, source = 'scorecard'): Scorecard {
  const doc = parseDocument(yamlText, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScorecardError(`${source} is not valid YAML:\n${doc.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return validateScorecard(doc.toJS(), source);
}

export async function loadScorecard(path: string = DEFAULT_SCORECARD_PATH): Promise<Scorecard> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScorecardError(`cannot read scorecard ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseScorecard(text, path);
}
