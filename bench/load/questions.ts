import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRiskDetector } from '../../analysis/risk/detector.js';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules } from '../../analysis/risk/rules.js';
import { asksForHuman } from '../../workflows/handoff-triggers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/retrieval-questions.jsonl', import.meta.url));

/**
 * Customer questions the demo knowledge base answers (zh and en), minus any the risk rules flag or that ask for a
 * person: either takes the conversation from the bot (a handoff), and this harness checks that every message gets a
 * bot reply.
 */
export function loadQuestions(): string[] {
  const detector = createRiskDetector(loadRiskRules(DEFAULT_RISK_RULES_PATH));
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { question: string }).question)
    .filter((q) => detector.classify(q).severity === 'none' && !asksForHuman(q));
}
