/**
 * Masks personal data before it reaches a log line. Order matters: ID-card numbers are matched before phones,
 * and phones (which may carry a +86 prefix) before the generic long digit runs of bank cards.
 */
const PATTERNS: [RegExp, string][] = [
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  // PRC resident ID: 17 digits + digit or X.
  [/(?<!\d)\d{17}[\dXx](?![\dA-Za-z])/g, '[id-card]'],
  // Phones: PRC mobiles, and international numbers with a leading +.
  [/(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/g, '[phone]'],
  [/\+\d{1,3}[ -]?\(?\d{1,4}\)?(?:[ -]?\d{2,4}){2,4}(?!\d)/g, '[phone]'],
  // Bank cards: 13–19 digits, optionally grouped by spaces or dashes.
  [/(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)/g, '[bank-card]'],
];

export function redactText(text: string): string {
  return PATTERNS.reduce((out, [pattern, mask]) => out.replace(pattern, mask), text);
}

/** Deep copy of a log object with every string redacted; depth-limited so a cyclic object cannot hang logging. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  // Errors and serializer outputs (pino's req/res objects keep their fields on prototypes) pass through untouched.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1);
  return out;
}
