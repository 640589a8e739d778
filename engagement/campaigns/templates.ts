/**
 * Campaign text personalisation: `{{name}}` is replaced by the customer's value, `{{name|尊敬的客户}}` falls back to
 * the text after the bar. A placeholder with neither a value nor a fallback makes the message unsendable rather than
 * sending "Dear ," to a customer.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*(?:\|([^}]*))?\}\}/g;

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

export function renderTemplate(template: string, vars: Record<string, string | undefined>): RenderResult {
  const missing: string[] = [];
  const text = template.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
    const value = vars[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback.trim();
    missing.push(name);
    return '';
  });
  return missing.length ? { ok: false, missing: [...new Set(missing)] } : { ok: true, text };
}

/** Placeholders a template uses, for checks at load time. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Text left over after removing placeholders that still looks like one ("{{name}" typos). */
export function malformedPlaceholders(template: string): string[] {
  return template.replace(PLACEHOLDER, '').match(/\{\{|\}\}/g) ?? [];
}
