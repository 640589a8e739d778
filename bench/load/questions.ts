import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadRiskDetector } from '../../analysis/risk/load.js';
import { parseQueues } from '../../bots/handoff/settings.js';
import { loadConfig } from '../../core/config.js';
import { parseLabelledCsv } from '../../knowledge/intent/csv.js';
import { trainIntentModel } from '../../knowledge/intent/train.js';
import { createIntentRouter } from '../../knowledge/routing/router.js';
import { DEFAULT_INTENT_DATA_FILE } from '../../knowledge/routing/setup.js';
import { DEFAULT_ROUTING_FILE, parseRoutingTable } from '../../knowledge/routing/table.js';
import { asksForHuman } from '../../workflows/handoff-triggers.js';
import { ROUTABLE_WORKFLOWS } from '../../workflows/routed.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/retrieval-questions.jsonl', import.meta.url));

/**
 * The cluster's own intent routing (the same examples and table, trained the same way): true when it would hand the
 * message to people (e.g. a complaint to the senior queue).
 */
function routedToPeople(): (text: string) => boolean {
  const { model } = trainIntentModel(parseLabelledCsv(readFileSync(DEFAULT_INTENT_DATA_FILE, 'utf8'), DEFAULT_INTENT_DATA_FILE));
  const queues = parseQueues(loadConfig({})).map((q) => q.name);
  const table = parseRoutingTable(readFileSync(DEFAULT_ROUTING_FILE, 'utf8'), DEFAULT_ROUTING_FILE, { queues, workflows: ROUTABLE_WORKFLOWS });
  const router = createIntentRouter({ model, table, defaultQueue: queues[0] ?? 'general' });
  return (text) => router.route(text).action === 'handoff';
}

/**
 * Customer questions the demo knowledge base answers (zh and en), minus any the risk rules flag, that ask for a
 * person or that intent routing hands to people: each takes the conversation from the bot (a handoff), and this
 * harness checks that every message gets a bot reply.
 */
export function loadQuestions(): string[] {
  const detector = loadRiskDetector();
  const toPeople = routedToPeople();
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { question: string }).question)
    .filter((q) => detector.classify(q).severity === 'none' && !asksForHuman(q) && !toPeople(q));
}
