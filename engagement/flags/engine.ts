/**
 * The flag rule engine: a condition tree (all / any / not over fact comparisons) evaluated against a customer's facts,
 * returning not just true/false but the comparisons that made it true, so every flag can say why it was raised.
 */

export type Operator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'contains' | 'exists' | 'missing';

export interface Comparison {
  fact: string;
  op: Operator;
  value?: unknown;
}

export type Condition = Comparison | { all: Condition[] } | { any: Condition[] } | { not: Condition };

/** One comparison that counted, with the value the fact had. */
export interface Evidence {
  fact: string;
  op: Operator;
  expected?: unknown;
  actual: unknown;
  /** True when the comparison counted by being false (inside `not`). */
  negated?: boolean;
}

export interface Evaluation {
  fired: boolean;
  evidence: Evidence[];
}

/** Looks a fact up by its dotted path; returns undefined when the customer has no such fact. */
export type FactLookup = (path: string) => unknown;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function compare(c: Comparison, actual: unknown): boolean {
  switch (c.op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'missing':
      return actual === undefined || actual === null;
    case 'eq':
      return actual === c.value;
    case 'ne':
      return actual !== c.value;
    case 'in':
      return Array.isArray(c.value) && c.value.includes(actual);
    case 'contains':
      return Array.isArray(actual) ? actual.includes(c.value) : typeof actual === 'string' && typeof c.value === 'string' && actual.includes(c.value);
    default: {
      const a = num(actual);
      const b = num(c.value);
      if (a === undefined || b === undefined) return false;
      return c.op === 'gt' ? a > b : c.op === 'gte' ? a >= b : c.op === 'lt' ? a < b : a <= b;
    }
  }
}

export function evaluate(condition: Condition, lookup: FactLookup): Evaluation {
  if ('all' in condition) {
    const parts = condition.all.map((c) => evaluate(c, lookup));
    const fired = parts.every((p) => p.fired);
    return { fired, evidence: fired ? parts.flatMap((p) => p.evidence) : [] };
  }
  if ('any' in condition) {
    const parts = condition.any.map((c) => evaluate(c, lookup)).filter((p) => p.fired);
    return { fired: parts.length > 0, evidence: parts.flatMap((p) => p.evidence) };
  }
  if ('not' in condition) {
    const inner = evaluate(condition.not, lookup);
    // A `not` counts when its inner condition is false; its evidence is the facts that were checked.
    return { fired: !inner.fired, evidence: inner.fired ? [] : leaves(condition.not).map((c) => ({ ...evidenceOf(c, lookup), negated: true })) };
  }
  const actual = lookup(condition.fact);
  const fired = compare(condition, actual);
  return { fired, evidence: fired ? [evidenceOf(condition, lookup)] : [] };
}

function leaves(c: Condition): Comparison[] {
  if ('all' in c) return c.all.flatMap(leaves);
  if ('any' in c) return c.any.flatMap(leaves);
  if ('not' in c) return leaves(c.not);
  return [c];
}

function evidenceOf(c: Comparison, lookup: FactLookup): Evidence {
  const actual = lookup(c.fact);
  return { fact: c.fact, op: c.op, ...(c.value !== undefined ? { expected: c.value } : {}), actual: actual === undefined ? null : actual };
}

const SYMBOL: Record<Operator, string> = { eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in', contains: 'contains', exists: 'exists', missing: 'missing' };

/** "intents.wealth_products.conversations_30d = 4 (≥ 3) and tier = platinum (in [gold, platinum])". */
export function explain(evidence: Evidence[]): string {
  return evidence
    .map((e) => {
      const expected = e.expected === undefined ? '' : ` ${Array.isArray(e.expected) ? `[${e.expected.join(', ')}]` : String(e.expected)}`;
      const rule = `${e.negated ? 'not ' : ''}${SYMBOL[e.op]}${expected}`;
      return `${e.fact} = ${Array.isArray(e.actual) ? `[${e.actual.join(', ')}]` : String(e.actual)} (${rule})`;
    })
    .join(' and ');
}

/** Every fact path a condition reads (for validating rule files). */
export function factsOf(c: Condition): string[] {
  return leaves(c).map((l) => l.fact);
}
