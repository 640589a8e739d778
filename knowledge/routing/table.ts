import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { Language } from '../../core/domain.js';

/**
 * The routing table (config/routing.yaml): what the bot does with each intent the model recognises. Ops teams edit
 * it, so it is validated strictly at start (unknown keys are errors) and every problem is reported at once with the
 * file, line and intent, and queue and workflow names are checked against what this platform actually has: a typo
 * in `queue: seinor` must stop the start, not send complaints nowhere.
 */

export const DEFAULT_ROUTING_FILE = fileURLToPath(new URL('../../config/routing.yaml', import.meta.url));

const text = z.string().trim().min(1, 'must not be empty');
const bilingual = z.strictObject({ zh: text, en: text }, { error: 'needs a zh and an en text' });
const name = z.string().trim().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

const answerRoute = z.strictObject({ action: z.literal('answer') });
const clarifyRoute = z.strictObject({ action: z.literal('clarify'), prompt: bilingual });
const handoffRoute = z.strictObject({ action: z.literal('handoff'), queue: name });
const workflowRoute = z.strictObject({
  action: z.literal('workflow'),
  workflow: name,
  /** Agent-desk queue the workflow posts follow-up work to; the first handoff queue when absent. */
  queue: name.optional(),
  /** What the customer is told once the workflow has started; a generic acknowledgement when absent. */
  reply: bilingual.optional(),
  /**
   * Also answer the message from the knowledge base, before the acknowledgement: "旧手机能抵多少钱" deserves the
   * price rules now as well as the specialist's call later.
   */
  answerFirst: z.boolean().optional(),
});

const routeSchema = z.discriminatedUnion('action', [answerRoute, clarifyRoute, handoffRoute, workflowRoute], {
  error: 'action must be one of answer, clarify, handoff, workflow',
});

export const routingTableSchema = z.strictObject({
  routes: z.record(z.string().trim().min(1), routeSchema),
  default: z.strictObject({
    action: z.literal('clarify', 'the default route must be a clarify action'),
    prompt: bilingual,
  }),
});

export type Bilingual = Record<Language, string>;
export type Route = z.output<typeof routeSchema>;
export type RoutingTable = z.output<typeof routingTableSchema>;

/** Said after a workflow route starts its workflow, when the route has no `reply` of its own. */
export const DEFAULT_WORKFLOW_REPLY: Bilingual = {
  zh: '好的，已为您登记，我们的专员会尽快与您联系。',
  en: "Thanks, we've noted your request and a specialist will get back to you shortly.",
};

/** What the table is checked against: the platform's queues and routable workflows, the model's intents. */
export interface RoutingContext {
  queues: readonly string[];
  workflows: readonly string[];
  /** The intent model's labels; a route for any other intent could never fire. */
  intents?: readonly string[];
}

export class RoutingTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutingTableError';
  }
}

interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

/** Line of the deepest key of `path` present in the document (1-based), so "line 52" points at what to fix. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      const range = isScalar(pair.key) ? pair.key.range : undefined;
      if (range) line = counter.linePos(range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) line = counter.linePos(range[0]).line;
    } else {
      break;
    }
  }
  return line;
}

/** "routes.complaint.queue" → "intent complaint: queue" — ops think in intents, not in paths. */
function describe(path: readonly PropertyKey[]): string {
  if (path[0] === 'routes' && path.length >= 2) {
    const rest = path.slice(2).map(String).join('.');
    return `intent "${String(path[1])}"${rest ? ` (${rest})` : ''}`;
  }
  return path.map(String).join('.') || '(top level)';
}

/** Checks that need more than the schema: names that must exist elsewhere. */
function crossCheck(table: RoutingTable, ctx: RoutingContext): Problem[] {
  const problems: Problem[] = [];
  const list = (xs: readonly string[]) => xs.join(', ') || 'none';
  for (const [intent, route] of Object.entries(table.routes)) {
    if (ctx.intents && !ctx.intents.includes(intent)) {
      problems.push({ path: ['routes', intent], message: `the intent model has no intent "${intent}" (it knows ${list(ctx.intents)}); add examples to the intents CSV or fix the name` });
    }
    if ((route.action === 'handoff' || route.action === 'workflow') && route.queue !== undefined && !ctx.queues.includes(route.queue)) {
      problems.push({ path: ['routes', intent, 'queue'], message: `queue "${route.queue}" is not one of HANDOFF_QUEUES (${list(ctx.queues)})` });
    }
    if (route.action === 'workflow' && !ctx.workflows.includes(route.workflow)) {
      problems.push({ path: ['routes', intent, 'workflow'], message: `workflow "${route.workflow}" is not a routable workflow (${list(ctx.workflows)}; see docs/AUTHORING_WORKFLOWS.md)` });
    }
  }
  return problems;
}

export function parseRoutingTable(yamlText: string, source: string, ctx: RoutingContext): RoutingTable {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RoutingTableError(`${source} is not valid YAML:\n${doc.errors.map((e) => `  - ${e.message.split('\n')[0]}`).join('\n')}`);
  }
  const parsed = routingTableSchema.safeParse(doc.toJS());
  const problems: Problem[] = parsed.success ? crossCheck(parsed.data, ctx) : parsed.error.issues;
  if (problems.length === 0 && parsed.success) return parsed.data;
  const lines = problems.map((p) => {
    const line = lineOf(doc, counter, p.path);
    return `  - ${source}${line ? `:${line}` : ''}: ${describe(p.path)}: ${p.message}`;
  });
  throw new RoutingTableError(`${source} is not a valid routing table:\n${[...new Set(lines)].join('\n')}`);
}

export async function loadRoutingTable(file: string, ctx: RoutingContext): Promise<RoutingTable> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    throw new RoutingTableError(`cannot read routing table ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRoutingTable(content, file, ctx);
}
