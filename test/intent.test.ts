import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, parseLabelledCsv, readLabelledCsv } from '../knowledge/intent/csv.js';
import { IntentModel } from '../knowledge/intent/model.js';
import { trainIntentModel, type TrainSummary } from '../knowledge/intent/train.js';
import { macroF1, percentile } from '../knowledge/intent/metrics.js';
import { runKefu } from './helpers/kefu-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = path.join(ROOT, 'test/fixtures/intents-small.csv');

/** Texts that are not in the fixture: simplified and traditional Chinese, English, mixed. */
const HELD_OUT: [string, string][] = [
  ['my parcel still has not come, where is it', 'order_status'],
  ['我的快递到哪里了', 'order_status'],
  ['我的快遞到哪裡了', 'order_status'],
  ['I would like a refund please', 'refund'],
  ['东西坏了我要退款', 'refund'],
  ['密码忘了登录不了', 'account_login'],
  ['reset my password please', 'account_login'],
  ['please cancel the order I placed yesterday', 'cancel_order'],
  ['帮我取消订单', 'cancel_order'],
  ['发票怎么开', 'invoice'],
  ['send me the invoice for my order', 'invoice'],
  ['payment declined again', 'payment_issue'],
  ['付款失败怎么办', 'payment_issue'],
  ['let me talk to a human', 'human_agent'],
  ['轉人工客服', 'human_agent'],
  ['修改一下收货地址', 'change_address'],
  ['I want to change the address of my order', 'change_address'],
];

/**
 * Off-topic texts that share no intent vocabulary. (A keyword model trained on ~12 examples per intent cannot
 * reject everything: "中国的首都是哪里" shares 哪里 with "我的订单到哪里了" and gets order_status.)
 */
const OUT_OF_SCOPE = ['What is the capital of France?', 'who won the football game last night', '明天会下雨吗', '推荐一本好书', '你好'];

describe('CSV parsing', () => {
  it('when fields are quoted with commas, doubled quotes and line breaks, then they come back intact', () => {
    const rows = parseCsv('\ufefftext,category\r\n"Hello, ""friend""",greet\r\n"two\nlines",multi\nplain,x\n\n');
    expect(rows).toEqual([
      ['text', 'category'],
      ['Hello, "friend"', 'greet'],
      ['two\nlines', 'multi'],
      ['plain', 'x'],
    ]);
  });

  it('when a quoted field never closes, then parsing fails instead of swallowing the rest of the file', () => {
    expect(() => parseCsv('text,category\n"oops,refund\n')).toThrow(/unterminated/);
  });

  it('when the header is missing or the columns are swapped, then text and category are still found', () => {
    expect(parseLabelledCsv('我要退款,refund\n')).toEqual([{ text: '我要退款', category: 'refund' }]);
    expect(parseLabelledCsv('category,text\nrefund,I want my money back\n')).toEqual([{ text: 'I want my money back', category: 'refund' }]);
  });
});

describe('intent model trained on the bilingual fixture', () => {
  let model: IntentModel;
  let summary: TrainSummary;
  let dir: string;

  beforeAll(async () => {
    const examples = await readLabelledCsv(FIXTURE);
    ({ model, summary } = trainIntentModel(examples));
    dir = await mkdtemp(path.join(tmpdir(), 'intent-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when trained, then the summary counts the classes and examples of the CSV and reports holdout accuracy', async () => {
    const examples = await readLabelledCsv(FIXTURE);
    expect(summary.classes).toEqual([...new Set(examples.map((e) => e.category))].sort());
    expect(summary.classes.length).toBeGreaterThanOrEqual(6);
    expect(summary.examples).toBe(examples.length);
    expect(summary.holdoutExamples).toBeGreaterThan(0);
    expect(summary.holdoutAccuracy).toBeGreaterThan(0.6);
    expect(summary.thresholdSource).toBe('holdout');
  });

  it.each(HELD_OUT)('when "%s" is classified, then the intent is %s', (text, intent) => {
    const prediction = model.classify(text);
    expect(prediction.intent).toBe(intent);
    expect(prediction.confidence).toBeGreaterThanOrEqual(model.threshold);
  });

  it.each(OUT_OF_SCOPE)('when off-topic "%s" is classified, then the intent is null with a confidence below the threshold', (text) => {
    const prediction = model.classify(text);
    expect(prediction.intent).toBeNull();
    expect(prediction.confidence).toBeLessThan(model.threshold);
  });

  it('when traditional and simplified Chinese say the same thing, then they get the same prediction', () => {
    expect(model.classify('請幫我取消這筆訂單')).toEqual(model.classify('请帮我取消这笔订单'));
  });

  it('when a model is saved and loaded, then it classifies the same way with the same threshold', async () => {
    const file = path.join(dir, 'nested/model.json');
    await model.save(file);
    const loaded = await IntentModel.load(file);
    expect(loaded.classes).toEqual(model.classes);
    expect(loaded.threshold).toBe(model.threshold);
    expect(loaded.temperature).toBe(model.temperature);
    for (const text of [...HELD_OUT.map(([t]) => t), ...OUT_OF_SCOPE]) {
      const before = model.classify(text);
      const after = loaded.classify(text);
      expect(after.intent).toBe(before.intent);
      // Weights are stored as int8 per feature row: probabilities move by far less than a percent.
      expect(Math.abs(after.confidence - before.confidence)).toBeLessThan(0.005);
    }
  });

  it('when the model file is damaged, then loading names the file and the problem', async () => {
    const file = path.join(dir, 'damaged.json');
    const json = JSON.parse(JSON.stringify(model.toJSON())) as { linear: { bias: number[] } };
    json.linear.bias.pop();
    await writeFile(file, JSON.stringify(json));
    await expect(IntentModel.load(file)).rejects.toThrow(/damaged\.json is not a kefu intent model:[\s\S]*linear\.bias/);
    await writeFile(file, '{"format":');
    await expect(IntentModel.load(file)).rejects.toThrow(/not valid JSON/);
  });

  it('when classifying, then one message takes well under 5 ms', () => {
    const texts = HELD_OUT.map(([t]) => t);
    for (const t of texts) model.classify(t);
    const times: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const t of texts) {
        const started = performance.now();
        model.classify(t);
        times.push(performance.now() - started);
      }
    }
    expect(percentile(times, 95)).toBeLessThan(5);
  });

  it('when a threshold is forced, then the summary and the model keep it instead of tuning one', async () => {
    const examples = await readLabelledCsv(FIXTURE);
    const forced = trainIntentModel(examples, { threshold: 0.9 });
    expect(forced.summary.threshold).toBe(0.9);
    expect(forced.summary.thresholdSource).toBe('option');
    expect(forced.model.threshold).toBe(0.9);
  });
});

describe('out-of-scope examples in the training data', () => {
  it('when rows with an empty category are given, then similar texts are classified as null and the others still work', async () => {
    const examples = await readLabelledCsv(FIXTURE);
    const offTopic = ['tell me a joke', '讲个笑话', 'how is the weather', '天气预报', 'who won the football match', '今天股票涨了吗', 'recommend a movie', '推荐一部电影'];
    const { model, summary } = trainIntentModel([...examples, ...offTopic.map((text) => ({ text, category: '' }))]);
    expect(summary.outOfScopeExamples).toBe(offTopic.length);
    expect(summary.classes).not.toContain('');
    expect(model.classify('tell me a funny joke').intent).toBeNull();
    expect(model.classify('明天天气怎么样').intent).toBeNull();
    expect(model.classify('我要退款').intent).toBe('refund');
  });

  it('when fewer than two real intents exist, then training refuses with a clear message', () => {
    expect(() => trainIntentModel([{ text: 'a', category: 'x' }, { text: 'b', category: '' }])).toThrow(/at least 2 intents/);
  });
});

describe('metrics', () => {
  it('when one class is always missed, then macro-F1 averages it in as zero', () => {
    expect(macroF1(['a', 'a', 'b', 'b'], ['a', 'a', 'a', null])).toBeCloseTo((0.8 + 0) / 2, 10);
  });
});

describe('kefu intent (spawned process)', () => {
  let dir: string;
  let modelFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'intent-cli-'));
    modelFile = path.join(dir, 'model.json');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when train runs on the fixture, then it writes a model and prints classes, examples, validation accuracy and time', async () => {
    const { code, stdout, stderr } = await runKefu(['intent', 'train', '--data', FIXTURE, '--out', modelFile]);
    expect(stderr).toMatch(/holdout accuracy/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/classes\s+8: account_login, cancel_order/);
    expect(stdout).toMatch(/examples\s+94/);
    expect(stdout).toMatch(/validation accuracy\s+\d+\.\d% on \d+ held-out examples/);
    expect(stdout).toMatch(/time\s+\d+\.\d s/);
    expect(JSON.parse(await readFile(modelFile, 'utf8'))).toMatchObject({ format: 'kefu-intent-model', version: 1 });
  }, 90_000);

  it('when JSON lines arrive with bad lines among them, then each good line gets {text, intent, confidence} in order and each bad one is reported by number', async () => {
    const input = ['{"text":"我要退款"}', 'not json', '{"text":"where is my parcel?"}', '{"message":"no text"}', '', '{"text":"明天会下雨吗"}'].join('\n');
    const { code, stdout, stderr } = await runKefu(['intent', 'classify', '--model', modelFile], { stdin: `${input}\n` });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => Object.keys(l).sort())).toEqual(Array(3).fill(['confidence', 'intent', 'text']));
    expect(lines.map((l) => [l.text, l.intent])).toEqual([
      ['我要退款', 'refund'],
      ['where is my parcel?', 'order_status'],
      ['明天会下雨吗', null],
    ]);
    for (const l of lines) expect(l.confidence).toEqual(expect.any(Number));
    expect(stderr).toMatch(/^line 2: not valid JSON/m);
    expect(stderr).toMatch(/^line 4: expected an object with a string "text" field/m);
    expect(stderr).not.toMatch(/line [356]/);
    expect(code).toBe(1);
  }, 60_000);

  it('when the model file does not exist, then one clear message and exit code 2', async () => {
    const { code, stdout, stderr } = await runKefu(['intent', 'classify', '--model', path.join(dir, 'missing.json')], { stdin: '{"text":"hi"}\n' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/cannot read model .*missing\.json: ENOENT/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('when the training CSV does not exist, then one clear message and exit code 2', async () => {
    const { code, stderr } = await runKefu(['intent', 'train', '--data', path.join(dir, 'nope.csv'), '--out', modelFile]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read .*nope\.csv: ENOENT/);
  }, 60_000);
});
