import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRiskDetector, DEFAULT_RULE_VETO } from '../analysis/risk/detector.js';
import { loadRiskDetector } from '../analysis/risk/load.js';
import { extractTerms, termSpans } from '../analysis/risk/model/features.js';
import { DEFAULT_RISK_MODEL_PATH, loadRiskModel, parseRiskModel, RiskModelError } from '../analysis/risk/model/model-file.js';
import type { RiskModel } from '../analysis/risk/model/model.js';
import { trainRiskModelToFile } from '../analysis/risk/model/run-training.js';
import { loadRiskRules, type RiskRules } from '../analysis/risk/rules.js';
import { KNOWN_RISK_CATEGORIES } from '../analysis/risk/types.js';
import { runKefu } from './helpers/kefu-cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LABELLED = path.join(ROOT, 'test/fixtures/risk/labelled.jsonl');

/**
 * A hand-built model, so the combination with the rules is tested apart from what the shipped model learned:
 * each listed n-gram pushes its categories' score up by the given weight; everything else sits at the bias.
 */
function handModel(categories: string[], weights: Record<string, Record<string, number>>, bias = -4, threshold = 0.5): RiskModel {
  const terms = Object.keys(weights).sort();
  const w = new Float32Array(terms.length * categories.length);
  terms.forEach((t, i) => categories.forEach((c, j) => (w[i * categories.length + j] = weights[t]![c] ?? 0)));
  return {
    categories,
    thresholds: Object.fromEntries(categories.map((c) => [c, threshold])),
    terms,
    idf: new Float32Array(terms.length).fill(1),
    weights: w,
    bias: new Float32Array(categories.length).fill(bias),
    info: { trainedOn: 'hand-built for tests', dataSha256: '', c: 1 },
  };
}

let rules: RiskRules;
beforeAll(() => {
  rules = loadRiskRules();
});

describe('learned model combined with the rules', () => {
  const categories = [...KNOWN_RISK_CATEGORIES];

  it('when the rules miss a demand the model knows, then the model adds the category and its evidence quotes the n-grams', () => {
    const detector = createRiskDetector(rules, { model: handModel(categories, { 吐出来: { refund_demand: 8 } }) });
    const text = '把钱给我吐出来';
    expect(createRiskDetector(rules).classify(text).categories).toEqual([]);
    const result = detector.classify(text);
    expect(result.categories).toEqual(['refund_demand']);
    expect(result.evidence).toEqual([expect.stringMatching(/^refund_demand: model 0\.\d\d \(吐出来 \d+\.\d\d\)$/)]);
    expect(result.signals.model?.fired[0]?.terms.map((t) => t.term)).toEqual(['吐出来']);
    expect(result.severity).not.toBe('none');
  });

  it('when the model\'s n-gram sits in a negated clause, then the rules\' negation vetoes the learned hit', () => {
    const detector = createRiskDetector(rules, { model: handModel(categories, { 吐出来: { refund_demand: 8 } }) });
    const result = detector.classify('我不想让你们把钱吐出来，换个新的就行');
    expect(result.categories).toEqual([]);
    expect(result.signals.model?.vetoed).toEqual([expect.objectContaining({ category: 'refund_demand', reason: 'negated' })]);
  });

  it('when the rules judged a hit of the category negated, then the model cannot bring the category back', () => {
    const detector = createRiskDetector(rules, { model: handModel(categories, { '12315': { regulator_complaint: 8 } }) });
    const result = detector.classify('我不会去12315投诉的，放心');
    expect(result.signals.suppressed.some((s) => s.category === 'regulator_complaint' && s.reason === 'negated')).toBe(true);
    expect(result.categories).toEqual([]);
    expect(result.signals.model?.vetoed[0]).toMatchObject({ category: 'regulator_complaint', reason: 'negated' });
  });

  it('when the model all but rules out a category found by the rules, then it is dropped and the suppressed hit says why', () => {
    const detector = createRiskDetector(rules, { model: handModel(categories, { 起诉: { legal_threat: -20 } }, -10) });
    const result = detector.classify('我要起诉你们公司');
    expect(result.signals.model?.probabilities['legal_threat']).toBeLessThan(DEFAULT_RULE_VETO);
    expect(result.categories).toEqual([]);
    expect(result.evidence).toEqual([]);
    expect(result.signals.suppressed).toContainEqual(expect.objectContaining({ category: 'legal_threat', phrase: '起诉', reason: 'model' }));
  });

  it('when the model doubts a rule hit only somewhat, or the veto is off, then the rules decide', () => {
    const doubtful = handModel(categories, { 起诉: { legal_threat: 1.2 } }, -3); // p ≈ 0.14
    expect(createRiskDetector(rules, { model: doubtful }).classify('我要起诉你们公司').categories).toEqual(['legal_threat']);
    const certain = handModel(categories, { 起诉: { legal_threat: -20 } }, -10);
    const result = createRiskDetector(rules, { model: certain, ruleVeto: 0 }).classify('我要起诉你们公司');
    expect(result.categories).toEqual(['legal_threat']);
    expect(result.evidence[0]).toMatch(/legal_threat: "起诉"/);
  });

  it('when the model file carries the veto its thresholds were tuned with, then the detector applies it unless one is configured', () => {
    const doubtful = { ...handModel(categories, { 起诉: { legal_threat: 1.2 } }, -3), ruleVeto: 0.2 }; // p ≈ 0.14
    expect(createRiskDetector(rules, { model: doubtful }).classify('我要起诉你们公司').categories).toEqual([]);
    expect(createRiskDetector(rules, { model: doubtful, ruleVeto: 0.1 }).classify('我要起诉你们公司').categories).toEqual(['legal_threat']);
  });

  it('when the model knows a category the rule file does not define, then that category is never reported', () => {
    const detector = createRiskDetector(rules, { model: handModel(['refund_demand', 'made_up'], { 吐出来: { made_up: 8, refund_demand: 8 } }) });
    expect(detector.classify('把钱给我吐出来').categories).toEqual(['refund_demand']);
  });

  it('when one threshold is configured, then it replaces the per-category ones', () => {
    const model = handModel(categories, { 吐出来: { refund_demand: 4.5 } }, -4); // p ≈ 0.62
    expect(createRiskDetector(rules, { model, modelThreshold: 0.9 }).classify('把钱给我吐出来').categories).toEqual([]);
    expect(createRiskDetector(rules, { model, modelThreshold: 0.5 }).classify('把钱给我吐出来').categories).toEqual(['refund_demand']);
  });
});

describe('features', () => {
  it('when a message mixes Chinese and English, then it yields Han character grams, words, bigrams and marked character grams', () => {
    const terms = extractTerms('我要refund now');
    expect([...terms.keys()]).toEqual(expect.arrayContaining(['我', '我要', 'refund', 'refund now', '~ ref', '~und ']));
    expect(terms.has('要r')).toBe(false);
  });

  it('when a word n-gram is looked up, then only whole-word occurrences count', () => {
    const text = 'the issue is that i will sue';
    expect(termSpans('sue', text).map((s) => s.start)).toEqual([text.lastIndexOf('sue')]);
    expect(termSpans('~sue ', 'the issue is').map((s) => s.text)).toEqual(['sue']);
  });
});

describe('the shipped model', () => {
  it('when config/risk-model.json is loaded, then it covers the seven categories with cross-validated thresholds', () => {
    const model = loadRiskModel();
    expect(model.categories).toEqual([...KNOWN_RISK_CATEGORIES]);
    for (const c of model.categories) {
      expect(model.thresholds[c]).toBeGreaterThan(0);
      expect(model.thresholds[c]).toBeLessThan(1);
    }
    expect(model.terms.length).toBeGreaterThan(1000);
    expect(model.info.trainedOn).toMatch(/split dev/);
  });

  it('when the default detector meets a threat the rules word lists do not know, then the model adds it with n-gram evidence', () => {
    const text = 'I want every penny back for the phone that never arrived';
    expect(createRiskDetector(rules).classify(text).categories).toEqual([]);
    const result = loadRiskDetector().classify(text);
    // The round-6 model also gives compliance_doubt 0.31 here (its threshold: 0.31, from "never"), a known borderline
    // false positive listed in docs/BENCHMARKS.md; this test is about the refund the rules cannot see.
    expect(result.categories).toContain('refund_demand');
    expect(result.evidence[0]).toMatch(/^refund_demand: model [01]\.\d\d \(.+ \d+\.\d\d(, .+ \d+\.\d\d)*\)$/);
  });

  it('when the default detector reads negated and informational messages, then the model adds nothing', () => {
    const detector = loadRiskDetector();
    for (const text of ['我不会去12315投诉的，放心', "I'm not going to sue, I just want this fixed.", '退款政策是怎样的？支持七天无理由吗', 'What is your refund policy for opened items?']) {
      expect(detector.classify(text).categories, text).toEqual([]);
    }
  });

  it('when the model is switched off, then the detector is the rules alone', () => {
    const text = 'I want every penny back for the phone that never arrived';
    expect(loadRiskDetector({ modelEnabled: false }).classify(text).signals.model).toBeUndefined();
  });
});

describe('model file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'risk-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when the weights do not match the vocabulary, then loading fails naming the file', async () => {
    const raw = JSON.parse(await readFile(DEFAULT_RISK_MODEL_PATH, 'utf8')) as Record<string, unknown>;
    raw['terms'] = (raw['terms'] as string[]).slice(1);
    expect(() => parseRiskModel(raw, 'broken.json')).toThrow(RiskModelError);
    expect(() => parseRiskModel(raw, 'broken.json')).toThrow(/broken\.json/);
  });

  it('when the same data is trained twice, then the model files are byte for byte the same', async () => {
    // A small slice of dev (every category present) keeps this quick; the shipped model is trained the same way.
    const dev = (await readFile(LABELLED, 'utf8')).split('\n').filter((l) => l.includes('"split": "dev"'));
    const data = path.join(dir, 'small.jsonl');
    await writeFile(data, `${dev.filter((_, i) => i % 6 === 0).join('\n')}\n`);
    const a = trainRiskModelToFile({ data, out: path.join(dir, 'a.json') });
    const b = trainRiskModelToFile({ data, out: path.join(dir, 'b.json') });
    const [fileA, fileB] = await Promise.all([readFile(a.path, 'utf8'), readFile(b.path, 'utf8')]);
    expect(fileA).toBe(fileB);
    expect(loadRiskModel(a.path).info.trainedOn).toMatch(/split dev/);
    // The veto the thresholds were chosen with travels with them.
    expect(loadRiskModel(a.path).ruleVeto).toBe(JSON.parse(fileA).training.ruleVeto);
    expect(loadRiskModel(a.path).ruleVeto).toBeGreaterThan(0);
  }, 120_000);
});

describe('kefu risk classify with the model (spawned)', () => {
  it('when a line is classified, then the output keeps {text, categories, severity, evidence} and --no-model turns the model off', async () => {
    const text = 'I want every penny back for the phone that never arrived';
    const withModel = await runKefu(['risk', 'classify'], { stdin: `${JSON.stringify({ text })}\n` });
    const rulesOnly = await runKefu(['risk', 'classify', '--no-model'], { stdin: `${JSON.stringify({ text })}\n` });
    expect(withModel.code).toBe(0);
    const line = JSON.parse(withModel.stdout) as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(['categories', 'evidence', 'severity', 'text']);
    expect(line['categories']).toContain('refund_demand');
    expect(JSON.parse(rulesOnly.stdout)).toMatchObject({ categories: [], evidence: [] });
  }, 60_000);
});
