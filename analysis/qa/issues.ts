import type { z } from 'zod';

/** `criteria[2].weight` style path of a zod issue, as a person editing the file would look for it. */
export function issuePath(path: readonly PropertyKey[]): string {
  const text = path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
  return text || '(root)';
}

/** One line per issue: "  - <path>: <message>". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  - ${issuePath(issue.path)}: ${issue.message}`).join('\n');
}
