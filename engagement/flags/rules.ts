import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import { factsOf, type Condition } from './engine.js';
import { isKnownFact } from '../profiles/facts.js';

export const DEFAULT_FLAGGING_PATH = fileURLToPath(new URL('../../config/flagging.yaml', import.meta.url));

export interface FlagRule {
  name: string;
  description: string;
  ttlMs: number;
  when: Condition;
}

export interface FlaggingConfig {
  /** Value tiers, lowest first; `tier_rank` is the index in this list. */
  tiers: string[];
  /** Intent → product of interest, added to the profile when the customer asks about it. */
  interests: Record<string, string>;
  flags: FlagRule[];
}

export class FlaggingConfigError extends Error {
  override readonly name = 'FlaggingConfigError';
}

const operator = z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists', 'missing']);
const comparison = z.strictObject({ fact: z.string().min(1), op: operator, value: z.unknown().optional() });
const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([comparison, z.strictObject({ all: z.array(condition).min(1) }), z.strictObject({ any: z.array(condition).min(1) }), z.strictObject({ not: condition })]),
);
const duration = z.string().transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
const slug = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _');
const fileSchema = z.strictObject({
  tiers: z.array(slug).min(1),
  interests: z.record(z.string(), slug).default({}),
  flags: z.record(slug, z.strictObject({ description: z.string().min(1), ttl: duration, when: condition })),
});

export function parseFlagging(text: string, source = 'flagging.yaml'): FlaggingConfig {
  const parsed = fileSchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    throw new FlaggingConfigError(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  }
  const flags = Object.entries(parsed.data.flags).map(([name, f]) => ({ name, description: f.description, ttlMs: f.ttl, when: f.when }));
  for (const f of flags) {
    for (const fact of factsOf(f.when)) {
      if (!isKnownFact(fact)) throw new FlaggingConfigError(`${source}: flags.${f.name}: unknown fact "${fact}"`);
    }
    if (f.ttlMs <= 0) throw new FlaggingConfigError(`${source}: flags.${f.name}: ttl must be positive`);
  }
  return { tiers: parsed.data.tiers, interests: parsed.data.interests, flags };
}

export function loadFlagging(path: string = DEFAULT_FLAGGING_PATH): FlaggingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FlaggingConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseFlagging(text, path);
}
