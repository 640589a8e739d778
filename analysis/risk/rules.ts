/**
 * Loads and validates config/risk-rules.yaml, the file risk teams edit. Validation happens once
 * at load so a typo (a broken regex, a category without a severity weight) fails loudly with the
 * path of the offending entry instead of silently never matching.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const DEFAULT_RISK_RULES_PATH = fileURLToPath(new URL('../../config/risk-rules.yaml', import.meta.url));

const RULE_LANGUAGES = ['zh', 'en'] as const;
export type RuleLanguage = (typeof RULE_LANGUAGES)[number];

/** Every pattern is compiled case-insensitive and Unicode-aware; text is lower-cased anyway. */
const REGEX_FLAGS = 'iu';

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, REGEX_FLAGS);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const regexSource = z.string().min(1, 'pattern must not be empty').superRefine((source, ctx) => {
  const problem = regexProblem(source);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${problem}` });
});

/**
 * A pattern is either a bare regex or an object carrying an id that shows up in the evidence.
 * `needsIntent`: the hit counts only when one of the category's `intent` patterns matches its
 * clause, for bare entities (律师, 工信部, FCC, court) that are mostly mentioned informationally.
 */
const patternEntry = z.union([
  regexSource,
  z.strictObject({ id: z.string().min(1), pattern: regexSource, needsIntent: z.boolean().default(false), note: z.string().optional() }),
]);

/**
 * An informational pattern excuses a hit it overlaps (`scope: span`, the default), or every hit in the
 * same clause or sentence: "我已经撤回了投诉，12315那边也说好了" withdraws the 12315 mention without
 * overlapping it, and "do you report to the FCA" is a question about whoever the clause names. `scope: message`
 * is for what speaks for the whole message, such as "跟你们没关系" after a question about another company's dispute.
 */
const INFORMATIONAL_SCOPES = ['span', 'clause', 'sentence', 'message'] as const;
export type InformationalScope = (typeof INFORMATIONAL_SCOPES)[number];

const informationalEntry = z.union([
  regexSource,
  z.strictObject({ id: z.string().min(1).optional(), pattern: regexSource, scope: z.enum(INFORMATIONAL_SCOPES).default('span'), note: z.string().optional() }),
]);

const perLanguage = <T extends z.ZodType>(item: T) =>
  z.strictObject({ zh: z.array(item).default([]), en: z.array(item).default([]) });

const categorySchema = z.strictObject({
  description: z.string().min(1),
  patterns: perLanguage(patternEntry),
  /** A hit whose span overlaps a match of one of these is an informational mention, not a risk. */
  informational: perLanguage(informationalEntry).default({ zh: [], en: [] }),
  /**
   * Threat/action wording a `needsIntent` hit needs near it (投诉, 找, report, will…). The detector
   * looks for both languages' lists around every hit, for mixed messages ("我要去FCC投诉").
   */
  intent: perLanguage(regexSource).default({ zh: [], en: [] }),
  /**
   * Where intent is looked for: the hit's sentence (default; "going to the BBB and my lawyer"), or
   * only its clause for categories whose intent words are common ("我的退款还没到，帮我查一下").
   */
  intentScope: z.enum(['sentence', 'clause']).default('sentence'),
});

const negationLanguageSchema = z.strictObject({
  /** Tested against the clause text before the hit; authors anchor them with `$`. */
  before: z.array(regexSource).default([]),
  /** Tested against the clause text after the hit; authors anchor them with `^`. */
  after: z.array(regexSource).default([]),
  /** When one matches the whole clause, a negation cue is a condition ("不退款我就…", "if you don't…"), not a denial. */
  conditional: z.array(regexSource).default([]),
});

const nonNegative = z.number().min(0);

const severitySchema = z
  .strictObject({
    weights: z.record(z.string(), nonNegative),
    multiCategoryBonus: nonNegative.default(0),
    repetition: z.strictObject({ perPriorHit: nonNegative, maxPriorHits: z.int().min(0), anyPriorRisk: nonNegative.default(0) }),
    sentiment: z.strictObject({ weight: nonNegative }),
    tierMultipliers: z.record(z.string(), z.number().positive()).refine((m) => 'default' in m, {
      message: 'tierMultipliers needs a "default" entry for unknown or missing tiers',
    }),
    thresholds: z.strictObject({ low: z.number().positive(), medium: z.number().positive(), high: z.number().positive(), critical: z.number().positive() }),
  })
  .superRefine((s, ctx) => {
    const { low, medium, high, critical } = s.thresholds;
    if (!(low <= medium && medium <= high && high <= critical)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'thresholds must satisfy low ≤ medium ≤ high ≤ critical' });
    }
  });

export const riskRulesSchema = z
  .strictObject({
    version: z.literal(1),
    /** Applied after traditional→simplified conversion, e.g. 帐户→账户 which OpenCC leaves as 帐. */
    replacements: z.record(z.string().min(1), z.string()).default({}),
    /**
     * Regex rewrites applied to the lower-cased text after `replacements`, for spellings customers use
     * to dodge filters (f*ck, sh!t, 傻*): patterns are then written once, for the plain word.
     */
    rewrites: z.array(z.strictObject({ pattern: regexSource, replace: z.string(), note: z.string().optional() })).default([]),
    /** Separators that end a clause; negation never reaches across one. */
    clauseBreak: regexSource,
    /** Separators that end a sentence; the intent of a needsIntent hit is looked for in its sentence. */
    sentenceBreak: regexSource,
    negation: z.strictObject({ zh: negationLanguageSchema, en: negationLanguageSchema }),
    categories: z.record(z.string().regex(/^[a-z][a-z_]*$/, 'category names are snake_case'), categorySchema),
    severity: severitySchema,
  })
  .superRefine((rules, ctx) => {
    for (const [name, category] of Object.entries(rules.categories)) {
      for (const language of RULE_LANGUAGES) {
        const gated = category.patterns[language].some((p) => typeof p !== 'string' && p.needsIntent);
        if (gated && category.intent[language].length === 0) {
          ctx.addIssue({ code: 'custom', path: ['categories', name, 'intent', language], message: `patterns with needsIntent need at least one ${language} intent pattern` });
        }
      }
    }
    for (const category of Object.keys(rules.categories)) {
      if (!(category in rules.severity.weights)) {
        ctx.addIssue({ code: 'custom', path: ['severity', 'weights', category], message: `category "${category}" has no severity weight` });
      }
    }
    for (const category of Object.keys(rules.severity.weights)) {
      if (!(category in rules.categories)) {
        ctx.addIssue({ code: 'custom', path: ['severity', 'weights', category], message: `weight for unknown category "${category}"` });
      }
    }
  });

export type RiskRulesConfig = z.output<typeof riskRulesSchema>;

/** A configuration problem, with one line per issue naming the file and the path inside it. */
export class RiskRulesError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`invalid risk rules in ${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'RiskRulesError';
  }
}

export interface CompiledPattern {
  id: string;
  language: RuleLanguage;
  regex: RegExp;
  needsIntent: boolean;
}

export interface Rewrite {
  regex: RegExp;
  replace: string;
}

export interface CompiledInformational {
  id: string;
  regex: RegExp;
  scope: InformationalScope;
}

export interface CompiledCategory {
  name: string;
  description: string;
  patterns: CompiledPattern[];
  informational: CompiledInformational[];
  intent: Record<RuleLanguage, RegExp[]>;
  intentScope: 'sentence' | 'clause';
}

export interface CompiledNegation {
  before: RegExp[];
  after: RegExp[];
  conditional: RegExp[];
}

/** Rules ready for matching: regexes compiled once, ids assigned to anonymous patterns. */
export interface RiskRules {
  source: string;
  replacements: ReadonlyArray<readonly [string, string]>;
  rewrites: ReadonlyArray<Rewrite>;
  clauseBreak: RegExp;
  sentenceBreak: RegExp;
  negation: Record<RuleLanguage, CompiledNegation>;
  categories: CompiledCategory[];
  severity: RiskRulesConfig['severity'];
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

type PatternEntry = z.output<typeof patternEntry>;
type InformationalEntry = z.output<typeof informationalEntry>;

function compileInformational(category: string, byLanguage: Record<RuleLanguage, InformationalEntry[]>): CompiledInformational[] {
  return RULE_LANGUAGES.flatMap((language) =>
    byLanguage[language].map((entry, index) => {
      const fallbackId = `${category}.informational.${language}[${index}]`;
      if (typeof entry === 'string') return { id: fallbackId, regex: new RegExp(entry, `${REGEX_FLAGS}g`), scope: 'span' as const };
      return { id: entry.id ?? fallbackId, regex: new RegExp(entry.pattern, `${REGEX_FLAGS}g`), scope: entry.scope };
    }),
  );
}

function compilePatterns(category: string, kind: string, byLanguage: Record<RuleLanguage, PatternEntry[]>): CompiledPattern[] {
  return RULE_LANGUAGES.flatMap((language) =>
    byLanguage[language].map((entry, index) => {
      const source = typeof entry === 'string' ? entry : entry.pattern;
      const id = typeof entry === 'string' ? `${category}.${kind}.${language}[${index}]` : entry.id;
      // 'g' so one message can yield several hits (each checked for negation on its own).
      const needsIntent = typeof entry !== 'string' && entry.needsIntent;
      return { id, language, regex: new RegExp(source, `${REGEX_FLAGS}g`), needsIntent };
    }),
  );
}

const compileList = (sources: string[]) => sources.map((s) => new RegExp(s, REGEX_FLAGS));

/** Validates an already-parsed object (e.g. from YAML) and compiles it. */
export function parseRiskRules(raw: unknown, source = '<inline>'): RiskRules {
  const result = riskRulesSchema.safeParse(raw);
  if (!result.success) {
    throw new RiskRulesError(source, result.error.issues.map((issue) => `${formatPath(issue.path) || '(root)'}: ${issue.message}`));
  }
  const config = result.data;
  return {
    source,
    replacements: Object.entries(config.replacements),
    rewrites: config.rewrites.map((r) => ({ regex: new RegExp(r.pattern, `${REGEX_FLAGS}g`), replace: r.replace })),
    clauseBreak: new RegExp(config.clauseBreak, `${REGEX_FLAGS}g`),
    sentenceBreak: new RegExp(config.sentenceBreak, `${REGEX_FLAGS}g`),
    negation: {
      zh: { before: compileList(config.negation.zh.before), after: compileList(config.negation.zh.after), conditional: compileList(config.negation.zh.conditional) },
      en: { before: compileList(config.negation.en.before), after: compileList(config.negation.en.after), conditional: compileList(config.negation.en.conditional) },
    },
    categories: Object.entries(config.categories).map(([name, category]) => ({
      name,
      description: category.description,
      patterns: compilePatterns(name, 'pattern', category.patterns),
      informational: compileInformational(name, category.informational),
      intent: { zh: compileList(category.intent.zh), en: compileList(category.intent.en) },
      intentScope: category.intentScope,
    })),
    severity: config.severity,
  };
}

/** Reads, parses and validates a rules file; every failure is a RiskRulesError naming the file. */
export function loadRiskRules(path: string = DEFAULT_RISK_RULES_PATH): RiskRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RiskRulesError(path, [`cannot read file: ${error instanceof Error ? error.message : String(error)}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new RiskRulesError(path, [`not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseRiskRules(raw, path);
}
