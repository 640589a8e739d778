import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerRouted } from '../activities/route-turn.js';
import type { AnswerResult } from '../core/domain.js';
import { parseLabelledCsv } from '../knowledge/intent/csv.js';
import type { AnswerQuery, Answerer } from '../knowledge/answerer.js';
import type { IntentRouter, RouteDecision } from '../knowledge/routing/router.js';
import { DEFAULT_INTENT_DATA_FILE } from '../knowledge/routing/setup.js';
import { DEFAULT_ROUTING_FILE, loadRoutingTable, parseRoutingTable, RoutingTableError } from '../knowledge/routing/table.js';
import * as workflows from '../workflows/index.js';
import { ROUTABLE_WORKFLOWS } from '../workflows/routed.js';

const CONTEXT = { queues: ['general', 'senior'], workflows: ['tradeInLead'], intents: ['billing', 'complaint', 'trade_in', 'greeting'] };

const DEFAULT_ROUTE = `default:
  action: clarify
  prompt:
    zh: "请再说具体一点"
    en: "Could you say a bit more?"
`;

/** The error message for a routing file, or a failure when it loads. */
function problemsOf(yaml: string, ctx = CONTEXT): string {
  try {
    parseRoutingTable(yaml, 'config/routing.yaml', ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(RoutingTableError);
    return (err as Error).message;
  }
  throw new Error('the routing table loaded');
}

describe('routing table loader', () => {
  it('when the shipped routing table is checked against the shipped intents, then it loads with every action type', () => {
    const intents = [...new Set(parseLabelledCsv(readFileSync(DEFAULT_INTENT_DATA_FILE, 'utf8')).map((e) => e.category))];
    const table = parseRoutingTable(readFileSync(DEFAULT_ROUTING_FILE, 'utf8'), DEFAULT_ROUTING_FILE, { ...CONTEXT, intents });
    expect(new Set(Object.values(table.routes).map((r) => r.action))).toEqual(new Set(['answer', 'handoff', 'workflow', 'clarify']));
    expect(table.routes.complaint).toEqual({ action: 'handoff', queue: 'senior' });
    expect(table.default.action).toBe('clarify');
  });

  it('when a handoff names a queue that is not configured, then the error gives file, line, intent and the queues there are', () => {
    const message = problemsOf(`routes:\n  billing: { action: answer }\n  complaint: { action: handoff, queue: seinor }\n${DEFAULT_ROUTE}`);
    expect(message).toContain('config/routing.yaml:3: intent "complaint" (queue): queue "seinor" is not one of HANDOFF_QUEUES (general, senior)');
  });

  it('when a workflow route names an unknown workflow, then the error names it and the routable ones', () => {
    const message = problemsOf(`routes:\n  trade_in:\n    action: workflow\n    workflow: tradeInLeads\n${DEFAULT_ROUTE}`);
    expect(message).toContain('config/routing.yaml:4: intent "trade_in" (workflow): workflow "tradeInLeads" is not a routable workflow (tradeInLead');
  });

  it('when a route names an intent the model does not know, then the start is refused naming the intent and its line', () => {
    const message = problemsOf(`routes:\n  billing: { action: answer }\n  complaints: { action: handoff, queue: senior }\n${DEFAULT_ROUTE}`);
    expect(message).toContain('config/routing.yaml:3: intent "complaints": the intent model has no intent "complaints"');
  });

  it('when a clarify prompt lacks English, a key is misspelt and an action is unknown, then every problem is listed at once', () => {
    const message = problemsOf(
      `routes:\n  greeting:\n    action: clarify\n    prompt:\n      zh: "您好"\n  billing: { action: answer, qeue: x }\n  complaint: { action: escalate }\n${DEFAULT_ROUTE}`,
    );
    expect(message).toContain('config/routing.yaml:4: intent "greeting" (prompt.en)');
    expect(message).toMatch(/config\/routing\.yaml:6: intent "billing": .*qeue/);
    expect(message).toContain('config/routing.yaml:7: intent "complaint" (action): action must be one of answer, clarify, handoff, workflow');
  });

  it('when the default route is not a clarify action, then it is refused', () => {
    const message = problemsOf('routes:\n  billing: { action: answer }\ndefault: { action: handoff, queue: general }\n');
    expect(message).toContain('config/routing.yaml:3: default.action: the default route must be a clarify action');
  });

  it('when an intent is listed twice, then the YAML error says so instead of keeping one silently', () => {
    const message = problemsOf(`routes:\n  billing: { action: answer }\n  billing: { action: handoff, queue: general }\n${DEFAULT_ROUTE}`);
    expect(message).toMatch(/config\/routing\.yaml is not valid YAML:\n.*unique/i);
  });

  it('when the file does not exist, then the error names the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kefu-routing-'));
    try {
      await expect(loadRoutingTable(path.join(dir, 'missing.yaml'), CONTEXT)).rejects.toThrow(/cannot read routing table .*missing\.yaml: ENOENT/);
      await writeFile(path.join(dir, 'ok.yaml'), `routes:\n  billing: { action: answer }\n${DEFAULT_ROUTE}`);
      expect((await loadRoutingTable(path.join(dir, 'ok.yaml'), CONTEXT)).routes.billing).toEqual({ action: 'answer' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when a workflow is routable, then the worker registers a workflow of that name', () => {
    for (const name of ROUTABLE_WORKFLOWS) expect(typeof (workflows as Record<string, unknown>)[name]).toBe('function');
  });
});

describe('applying a route to a turn', () => {
  const prompt = { zh: '请再说具体一点', en: 'Could you say a bit more?' };
  const router = (decision: RouteDecision): IntentRouter => ({ intents: [], threshold: 0.5, route: () => decision });
  /** A knowledge base that answers unless the question contains "???". */
  const kb = (): Answerer & { asked: AnswerQuery[] } => {
    const asked: AnswerQuery[] = [];
    return {
      asked,
      async answer(q: AnswerQuery): Promise<AnswerResult> {
        asked.push(q);
        const known = !q.text.includes('???');
        return { text: known ? 'From the help centre [1]' : 'Sorry', citations: known ? [{ index: 1, title: 'Bills', source: 'kb/bills.md' }] : [], confidence: known ? 0.8 : 0.1, handoffSuggested: !known, intent: null, language: 'en' };
      },
    };
  };

  it('when the route is answer, then the knowledge base answers and gets the intent instead of classifying again', async () => {
    const answerer = kb();
    const turn = await answerRouted({ answerer, router: router({ action: 'answer', intent: 'billing', confidence: 0.9 }) }, { text: 'my bill?' });
    expect(turn).toMatchObject({ text: 'From the help centre [1]', intent: 'billing', route: { action: 'answer' } });
    expect(answerer.asked[0]?.intent).toBe('billing');
  });

  it('when no intent is confident, then the knowledge base is still asked, and only its failure becomes the clarify prompt', async () => {
    const answerer = kb();
    const fallback = router({ action: 'fallback', intent: null, confidence: 0.2, prompt });
    expect(await answerRouted({ answerer, router: fallback }, { text: 'how do I change my address' })).toMatchObject({ text: 'From the help centre [1]', route: { action: 'answer' } });
    const unclear = await answerRouted({ answerer, router: fallback }, { text: '??? hmm' });
    // Still counted as unanswered, so repeated misses reach a person (HANDOFF_AFTER_UNANSWERED).
    expect(unclear).toMatchObject({ text: prompt.en, citations: [], handoffSuggested: true, intent: null, route: { action: 'clarify' } });
  });

  it('when the route is handoff or workflow, then the knowledge base is not asked and the route carries queue and workflow', async () => {
    const answerer = kb();
    const handoff = await answerRouted({ answerer, router: router({ action: 'handoff', intent: 'complaint', confidence: 0.99, queue: 'senior' }) }, { text: '我要投诉' });
    expect(handoff).toMatchObject({ text: '', intent: 'complaint', language: 'zh', route: { action: 'handoff', queue: 'senior' } });
    const reply = { zh: '已登记', en: 'Booked' };
    const workflow = await answerRouted(
      { answerer, router: router({ action: 'workflow', intent: 'trade_in', confidence: 0.97, workflow: 'tradeInLead', queue: 'general', reply, answerFirst: false }) },
      { text: 'trade in my phone' },
    );
    expect(workflow).toMatchObject({ text: 'Booked', citations: [], handoffSuggested: false, route: { action: 'workflow', workflow: 'tradeInLead', queue: 'general' } });
    expect(answerer.asked).toEqual([]);
  });

  it('when a workflow route answers first, then the answer precedes the acknowledgement, and without a good answer only the acknowledgement is sent', async () => {
    const answerer = kb();
    const reply = { zh: '已登记', en: 'Booked' };
    const route = router({ action: 'workflow', intent: 'trade_in', confidence: 0.97, workflow: 'tradeInLead', queue: 'general', reply, answerFirst: true });
    const answered = await answerRouted({ answerer, router: route }, { text: 'what is my old phone worth?' });
    expect(answered).toMatchObject({ text: 'From the help centre [1]\n\nBooked', citations: [{ title: 'Bills' }], handoffSuggested: false, route: { action: 'workflow', workflow: 'tradeInLead' } });
    expect(answerer.asked[0]?.intent).toBe('trade_in');
    const unanswered = await answerRouted({ answerer, router: route }, { text: '??? trade in' });
    // The booking still happens and is not an unanswered turn: the specialist answers on the call.
    expect(unanswered).toMatchObject({ text: 'Booked', citations: [], handoffSuggested: false, route: { action: 'workflow' } });
  });
});
