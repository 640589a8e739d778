import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type KefuRun } from './helpers/kefu-cli.js';
import { loadExamples, loadIncomingExamples, parseRiskBenchArgs, splitsToList, UsageError } from '../bench/risk-sets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs the real benchmark script (`node --import tsx bench/risk.ts …`). */
function runBench(args: string[]): Promise<KefuRun> {
  return runProcess(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/risk.ts'), ...args], { cwd: ROOT });
}

describe('risk benchmark: the blind split', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'risk-bench-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when --errors blind is asked for, then the arguments are refused', () => {
    expect(() => parseRiskBenchArgs(['--errors', 'blind'])).toThrow(UsageError);
  });

  it('when --no-model or --model is given, then the benchmark runs the rules alone or that model file', () => {
    expect(parseRiskBenchArgs(['--no-model']).model).toBe(false);
    expect(parseRiskBenchArgs(['--model', 'm.json']).model).toBe('m.json');
    expect(parseRiskBenchArgs([]).model).toBeUndefined();
  });

  it('when --errors all is asked for, then only dev and holdout errors are listed', () => {
    expect(splitsToList(parseRiskBenchArgs(['--errors', 'all']).errors)).toEqual(['dev', 'holdout']);
  });

  it('when a blind file holds an example of another split, then loading fails by line number without quoting it', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    await writeFile(file, `${JSON.stringify({ text: 'SECRET-TEXT-1', lang: 'en', categories: [], split: 'dev' })}\n`);
    expect(() => loadExamples(file, ['blind'])).toThrow(/mixed\.jsonl:1: split "dev"/);
    expect(() => loadExamples(file, ['blind'])).not.toThrow(/SECRET-TEXT-1/);
  });

  it('when a blind set is scored with --errors all, then it is reported but none of its messages is printed or stored', async () => {
    const blind = path.join(dir, 'blind.jsonl');
    const out = path.join(dir, 'risk.json');
    // Labelled with a category the detector cannot find, so both are misclassified.
    const lines = ['BLIND-MARKER-ONE qwerty', 'BLIND-MARKER-TWO asdf'].map((text) => JSON.stringify({ text, lang: 'en', categories: ['abusive'], split: 'blind' }));
    await writeFile(blind, `${lines.join('\n')}\n`);
    const { code, stdout, stderr } = await runBench(['--splits', 'blind', '--blind', blind, '--out', out, '--errors', 'all']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/blind \(written without seeing the rules.*\(2 messages\)/);
    const results = JSON.parse(await readFile(out, 'utf8')) as { scores: { blind: { micro: { recall: number } } }; misclassified: unknown[] };
    expect(results.scores.blind.micro.recall).toBe(0);
    expect(results.misclassified).toEqual([]);
    expect(`${stdout}${stderr}${JSON.stringify(results)}`).not.toMatch(/BLIND-MARKER/);
  }, 60_000);

  it('when the command line asks for blind errors, then it exits 2 with the reason and scores nothing', async () => {
    const { code, stdout, stderr } = await runBench(['--errors', 'blind', '--out', path.join(dir, 'unused.json')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--errors blind is refused/);
  }, 60_000);
});

describe('risk benchmark: folding a batch into the labelled set', () => {
  const categories = ['refund_demand', 'abusive'];
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'risk-fold-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a training batch is read, then its lines are checked and "train" becomes dev', async () => {
    const file = path.join(dir, 'batch.jsonl');
    await writeFile(file, '{"text":"refund me","lang":"en","categories":["refund_demand"],"split":"train"}\n\n{"text":"hi","lang":"zh","categories":[],"split":"train","note":""}\n');
    expect(loadIncomingExamples(file, categories)).toEqual([
      { text: 'refund me', lang: 'en', categories: ['refund_demand'], split: 'dev' },
      { text: 'hi', lang: 'zh', categories: [], split: 'dev', note: '' },
    ]);
  });

  it('when a line has a category the rules do not define, or is not JSON, then the error names the line', async () => {
    const typo = path.join(dir, 'typo.jsonl');
    await writeFile(typo, '{"text":"a","lang":"en","categories":[],"split":"train"}\n{"text":"refund me","lang":"en","categories":["refund"],"split":"train"}\n');
    expect(() => loadIncomingExamples(typo, categories)).toThrow(/typo\.jsonl:2: categories\.0: unknown category/);
    const broken = path.join(dir, 'broken.jsonl');
    await writeFile(broken, '{"text":"a","lang":"en","categories":[],"split":"train"\n');
    expect(() => loadIncomingExamples(broken, categories)).toThrow(/broken\.jsonl:1: not valid JSON/);
  });
});
