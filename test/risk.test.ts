import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createRiskDetector } from '../analysis/risk/detector.js';
import { loadRiskDetector } from '../analysis/risk/load.js';
import { normaliseText } from '../analysis/risk/normalise.js';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules, parseRiskRules, RiskRulesError, riskRulesSchema } from '../analysis/risk/rules.js';
import type { z } from 'zod';
import { KNOWN_RISK_CATEGORIES, SEVERITY_LEVELS, type RiskDetector, type RiskResult } from '../analysis/risk/types.js';
import { scorePredictions, type LabelledExample } from '../bench/risk-metrics.js';
import { runKefu } from './helpers/kefu-cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LABELLED = path.join(ROOT, 'test/fixtures/risk/labelled.jsonl');

let detector: RiskDetector;
/** The YAML as written (before defaults), so tests can break one thing at a time. */
type RawRules = z.input<typeof riskRulesSchema>;
let rawRules: RawRules;
beforeAll(async () => {
  detector = createRiskDetector(loadRiskRules());
  rawRules = riskRulesSchema.parse(parseYaml(await readFile(DEFAULT_RISK_RULES_PATH, 'utf8')));
});

const rank = (r: RiskResult) => SEVERITY_LEVELS.indexOf(r.severity);
const evidenceFor = (r: RiskResult, category: string) => r.evidence.filter((e) => e.startsWith(`${category}:`));

describe('categories', () => {
  const cases: Array<[string, 'zh' | 'en', string]> = [
    ['refund_demand', 'zh', '耳机收到就是坏的，我要退款'],
    ['refund_demand', 'en', 'Please reverse the duplicate charge on my card.'],
    ['regulator_complaint', 'zh', '再拖下去我就向工信部投诉'],
    ['regulator_complaint', 'en', "I'm filing a complaint with the CFPB today."],
    ['legal_threat', 'zh', '我已经找了律师，准备起诉'],
    ['legal_threat', 'en', "I'm going to sue your company."],
    ['public_exposure', 'zh', '我要把这件事发到微博上'],
    ['public_exposure', 'en', "I'm posting this conversation on Twitter."],
    ['churn_threat', 'zh', '我要携号转网'],
    ['churn_threat', 'en', 'Close my account, I am moving to another bank.'],
    ['compliance_doubt', 'zh', '理财经理根本没说有亏损风险，这是误导销售'],
    ['compliance_doubt', 'en', 'There is a hidden fee on my bill that nobody disclosed.'],
    ['abusive', 'zh', '你们客服都是废物'],
    ['abusive', 'en', 'You are a useless idiot.'],
  ];
  it.each(cases)('when a %s message in %s arrives, then that category is detected with evidence', (category, _lang, text) => {
    const result = detector.classify(text);
    expect(result.categories).toContain(category);
    expect(evidenceFor(result, category).length).toBeGreaterThan(0);
    expect(result.severity).not.toBe('none');
  });

  it('when a message carries several risks, then every category is reported in config order', () => {
    const result = detector.classify('你们这群骗子，不退钱我就去12315，还要找律师');
    expect(result.categories).toEqual(['refund_demand', 'regulator_complaint', 'legal_threat', 'compliance_doubt']);
  });

  it('when a message is an ordinary question, then nothing is detected and severity is none', () => {
    const result = detector.classify('How do I reset my password?');
    expect(result).toMatchObject({ categories: [], severity: 'none', evidence: [] });
  });
});

describe('negation', () => {
  it.each([
    ['我不会去12315投诉的，只是想问一下进度', 'regulator_complaint'],
    ['放心，我不打算起诉', 'legal_threat'],
    ["I'm not going to sue, I just want this fixed.", 'legal_threat'],
    ["Please don't close my account, I'll pay today.", 'churn_threat'],
    ['我要换货，不要退款', 'refund_demand'],
  ])('when the risk is negated ("%s"), then %s is not reported and the hit is kept as negated', (text, category) => {
    const result = detector.classify(text);
    expect(result.categories).not.toContain(category);
    expect(result.signals.suppressed).toContainEqual(expect.objectContaining({ category, reason: 'negated' }));
  });

  it('when the negation is in another clause, then the risk still counts', () => {
    expect(detector.classify("I'm not happy, I will sue you.").categories).toContain('legal_threat');
  });

  it.each([
    ['你们不退款我就一直打电话', 'refund_demand'],
    ["If you don't refund me by Friday I'll take further steps.", 'refund_demand'],
  ])('when a negation states a condition ("%s"), then it is a demand, not a denial', (text, category) => {
    expect(detector.classify(text).categories).toContain(category);
  });
});

describe('informational mentions', () => {
  it.each([
    ["What's your refund policy?", 'refund_demand'],
    ['How do I check my refund status?', 'refund_demand'],
    ['My lawyer friend recommended you.', 'legal_threat'],
    ['请问怎么查询退款进度', 'refund_demand'],
    ['你们公众号上说受金融监管总局监管，这个产品保本吗？', 'regulator_complaint'],
  ])('when "%s" mentions %s informationally, then it is not reported', (text, category) => {
    const result = detector.classify(text);
    expect(result.categories).toEqual([]);
    expect(result.signals.fired.filter((f) => f.category === category)).toEqual([]);
  });

  it.each([
    ['My lawyer friend recommended you.', 'legal_threat', 'lawyer friend'],
    ['请问怎么查询退款进度', 'refund_demand', '退款'],
  ])('when "%s" matches an informational pattern, then the hit is kept as informational with the phrase that excused it', (text, category, by) => {
    expect(detector.classify(text).signals.suppressed).toContainEqual(expect.objectContaining({ category, reason: 'informational', by: expect.stringContaining(by) }));
  });

  it('when a bare entity has no threat wording around it, then it is dropped for lack of intent', () => {
    const result = detector.classify('Is the court street branch open on Saturday?');
    expect(result.categories).toEqual([]);
    expect(result.signals.suppressed).toContainEqual(expect.objectContaining({ category: 'legal_threat', reason: 'no_intent' }));
  });

  it('when the same entity comes with threat wording, then the evidence names the intent', () => {
    const result = detector.classify('I will take you to court over this.');
    expect(result.categories).toEqual(['legal_threat']);
    expect(result.evidence.join('\n')).toMatch(/"court" \+ intent/);
  });
});

describe('frames that reach across sentences', () => {
  // Each pair: the frame that excuses the mention, and the same words with a live threat the frame must not excuse.
  it.each([
    ['去年因为宽带的事跟你们闹得很僵，还打过12315，后来问题解决了。今天想问副卡怎么办理？', 'regulator_complaint', '后来问题解决'],
    ['Back in March I had the ombudsman involved over a missing transfer. It was all settled in the end. Can I raise my daily limit?', 'regulator_complaint', 'all settled'],
    ['我爸这几周一直说要去消协投诉你们。我把安装单都看了一遍，其实都是按规范装的。', 'regulator_complaint', '我把安装单'],
    ['My brother-in-law keeps telling me to take you to court over the late sofa. I told him it is only a week. When is the new slot?', 'legal_threat', 'i told him'],
    ['想问存证信函要怎么寄？是房东押金一直不还，跟你们没关系。', 'legal_threat', '跟你们没关系'],
    ['How long do I have after a final response before the ombudsman will take a case?', 'regulator_complaint', 'how long do i have'],
    ['请问如果有人想申诉，是找NCC还是找消基会？', 'regulator_complaint', '是找ncc还是'],
    ['Our previous supplier was so bad we reported them to Ofgem, which is why we are joining you.', 'regulator_complaint', 'our previous supplier'],
    ['Earlier I said I would go to the papers about the delay. I won\'t, I was just stressed. Can we book the install?', 'public_exposure', "i won't"],
    ['还以为你们乱扣费，都想打12315了，结果是我自己看错了账单。', 'regulator_complaint', '还以为你们乱扣费'],
  ])('when "%s" tells of a %s the message itself defuses, then the hit is excused by text containing "%s"', (text, category, by) => {
    const result = detector.classify(text);
    expect(result.categories).not.toContain(category);
    expect(result.signals.suppressed).toContainEqual(expect.objectContaining({ category, reason: 'informational', by: expect.stringContaining(by) }));
  });

  it.each([
    ['去年的事后来解决了，但这次你们再不退款我就去12315投诉。', 'regulator_complaint'],
    ['Last month I complained and it still isn\'t fixed. I\'m going to the ombudsman.', 'regulator_complaint'],
    ['Last month I reported you to Ofcom and it still isn\'t fixed.', 'regulator_complaint'],
    ['去年就打过12315，后来也没解决，这次又这样。', 'regulator_complaint'],
    ["I told you I'd go to the ombudsman and you didn't even apologise.", 'regulator_complaint'],
    ["I told you last week I'd go to the ombudsman. I won't wait any longer.", 'regulator_complaint'],
    ['我说了要去12315投诉，你们连个道歉都没有。', 'regulator_complaint'],
    ['My dad says he will report you to Ofcom. I told him he is right and I am going to the ombudsman myself.', 'regulator_complaint'],
    ['How long do I have to wait before I can go to the ombudsman? Because that is exactly where this is going.', 'regulator_complaint'],
    ['Another airline lost my bag and I am reporting you to the CAA as well.', 'regulator_complaint'],
    ['别家都没这么慢，我要去12315投诉你们。', 'regulator_complaint'],
    ['不是针对你们客服，是你们公司太过分，我要去12315投诉。', 'regulator_complaint'],
  ])('when "%s" carries a live threat next to one of those frames, then %s still counts', (text, category) => {
    expect(detector.classify(text).categories).toContain(category);
  });
});

describe('traditional Chinese and full-width text', () => {
  it('when text is full-width or traditional, then normalisation yields ASCII, simplified, lower case', () => {
    expect(normaliseText('ＲＥＦＵＮＤ　１２３１５')).toBe('refund 12315');
    expect(normaliseText('我要註銷帳戶', [['帐户', '账户']])).toBe('我要注销账户');
    expect(normaliseText('I don’t')).toBe("i don't");
  });

  it.each([
    ['我要向消委會投訴你們', 'regulator_complaint'],
    ['我會找律師告你們', 'legal_threat'],
    ['我要註銷帳戶', 'churn_threat'],
    ['你們根本是詐騙集團', 'compliance_doubt'],
    ['我要打１２３１５', 'regulator_complaint'],
    ['I want a ＲＥＦＵＮＤ now', 'refund_demand'],
  ])('when "%s" arrives, then %s is detected', (text, category) => {
    expect(detector.classify(text).categories).toContain(category);
  });

  it.each([['請問退款進度怎麼查？'], ['我不會投訴的，放心'], ["Ｗｈａｔ'ｓ ｙｏｕｒ ｒｅｆｕｎｄ ｐｏｌｉｃｙ？"]])(
    'when the hard negative "%s" is in a variant script, then nothing is detected',
    (text) => {
      expect(detector.classify(text).categories).toEqual([]);
    },
  );
});

describe('unseen phrasing', () => {
  it.each([
    ['f*ck you and your company', 'fuck you'],
    ['傻*客服，问了半天没用', '傻逼'],
    ['Go f**k yourself.', 'fuck yourself'],
  ])('when profanity is obfuscated ("%s"), then it is read as the plain word and the evidence shows it', (text, plain) => {
    const result = detector.classify(text);
    expect(result.categories).toContain('abusive');
    expect(result.signals.normalisedText).toContain(plain);
  });

  it('when spaces split Chinese words, then they are matched as if written together', () => {
    expect(detector.classify('退 钱，不然我就去 1 2 3 1 5').categories).toContain('refund_demand');
    expect(normaliseText('傻 逼客服', [], loadRiskRules().rewrites)).toBe('傻逼客服');
  });

  it.each([
    ['The fucking router keeps dropping, can you help?'],
    ['My husband is an idiot and locked the account, can you reset it?'],
    ['我真是个傻子，密码又忘了'],
    ['垃圾短信太多了，能拦截吗'],
  ])('when profanity is not aimed at staff ("%s"), then nothing is detected', (text) => {
    expect(detector.classify(text).categories).toEqual([]);
  });

  it.each([
    ['我已经撤销了投诉，12315那边也说好了', 'regulator_complaint'],
    ['I withdrew my complaint with the FCC last week, thanks for sorting it.', 'regulator_complaint'],
    ['之前说要换运营商是气话，现在不换了', 'churn_threat'],
  ])('when the threat is withdrawn elsewhere in the sentence ("%s"), then %s is kept as informational', (text, category) => {
    const result = detector.classify(text);
    expect(result.categories).toEqual([]);
    expect(result.signals.suppressed).toContainEqual(expect.objectContaining({ category, reason: 'informational' }));
  });

  it('when the consequence of a condition is in the next clause, then the negated demand still counts', () => {
    expect(detector.classify('你们不赔钱，我们就走法律程序').categories).toEqual(['refund_demand', 'legal_threat']);
  });

  it('when an English entity comes with Chinese threat wording, then the intent is found across languages', () => {
    const result = detector.classify('我要去FCC投诉你们');
    expect(result.categories).toEqual(['regulator_complaint']);
    expect(result.evidence.join('\n')).toMatch(/"fcc" \+ intent "[^"]*\p{Script=Han}/u);
  });

  it.each([
    ['我表姐是律师，她让我问一下你们的对公业务'],
    ['My attorney drafted my will, can I add a beneficiary to my account?'],
    ['Sue from accounts asked me to call back.'],
    ['My neighbour reported a scam call to the FTC, should I be worried?'],
  ])('when a third party or a name is mentioned ("%s"), then nothing is detected', (text) => {
    expect(detector.classify(text).categories).toEqual([]);
  });

  it('when a phone number contains a hotline number, then it is not read as the hotline', () => {
    expect(detector.classify('Please call me on 13812345678 after six.').categories).toEqual([]);
    expect(detector.classify('Please call 12345 about this.').categories).toEqual(['regulator_complaint']);
  });

  it('when a long message repeats one threat, then each rule and phrase is evidence once and explanations stay short', () => {
    // The last sentence names a court 300 times with no threat wording: one long no_intent segment.
    const result = detector.classify(`${'退钱！我要去12315投诉，'.repeat(200)}。${'法院 '.repeat(300)}`);
    expect(result.categories).toEqual(['refund_demand', 'regulator_complaint']);
    expect(result.evidence.filter((e) => e.includes('"退钱"'))).toHaveLength(1);
    const noIntent = result.signals.suppressed.filter((s) => s.reason === 'no_intent');
    expect(noIntent.length).toBeGreaterThan(0);
    for (const s of noIntent) expect(s.by.length).toBeLessThanOrEqual(200);
  });
});

describe('severity', () => {
  const text = 'My lawyer will be in touch.';

  it('when the same category was already raised in the conversation, then severity does not drop and the score rises', () => {
    const first = detector.classify(text);
    const repeated = detector.classify(text, { priorCategories: ['legal_threat', 'legal_threat'] });
    expect(repeated.signals.severity.repetition).toBeGreaterThan(0);
    expect(repeated.signals.severity.score).toBeGreaterThan(first.signals.severity.score);
    expect(rank(repeated)).toBeGreaterThan(rank(first));
  });

  it('when the customer is platinum, then the tier multiplier raises severity', () => {
    const twoThreats = "I'm reporting you to the CFPB and I will sue.";
    const standard = detector.classify(twoThreats, { valueTier: 'standard' });
    const platinum = detector.classify(twoThreats, { valueTier: 'platinum' });
    expect(platinum.signals.severity.tierMultiplier).toBeGreaterThan(standard.signals.severity.tierMultiplier);
    expect(rank(platinum)).toBeGreaterThan(rank(standard));
  });

  it('when an unknown tier is given, then the default multiplier applies', () => {
    expect(detector.classify(text, { valueTier: 'diamond' }).signals.severity.tierMultiplier).toBe(detector.classify(text).signals.severity.tierMultiplier);
  });

  it('when sentiment is worsening, then severity rises; an improving trend adds nothing', () => {
    const neutral = detector.classify('退钱！');
    const worsening = detector.classify('退钱！', { sentimentTrend: -1 });
    const improving = detector.classify('退钱！', { sentimentTrend: 0.8 });
    expect(rank(worsening)).toBeGreaterThan(rank(neutral));
    expect(improving.signals.severity.score).toBe(neutral.signals.severity.score);
  });

  it('when regulator and legal threats come together from a platinum customer on a souring conversation, then severity is critical', () => {
    const result = detector.classify('我要去银保监会投诉，还要起诉你们', { valueTier: 'platinum', sentimentTrend: -0.6, priorCategories: ['regulator_complaint'] });
    expect(result.severity).toBe('critical');
  });

  it('when a message has no risk, then context alone never raises severity above none', () => {
    const result = detector.classify('谢谢，问题解决了', { valueTier: 'platinum', sentimentTrend: -1, priorCategories: ['legal_threat'] });
    expect(result.severity).toBe('none');
  });
});

describe('config validation', () => {
  const withChange = (change: (rules: RawRules) => void): unknown => {
    const copy = structuredClone(rawRules);
    change(copy);
    return copy;
  };
  const category = (rules: RawRules, name: string) => {
    const found = rules.categories[name];
    if (!found) throw new Error(`no category ${name}`);
    return found;
  };
  const problemsOf = (raw: unknown): string[] => {
    try {
      parseRiskRules(raw, 'test.yaml');
    } catch (error) {
      if (error instanceof RiskRulesError) return error.issues;
      throw error;
    }
    throw new Error('expected the rules to be rejected');
  };

  it('when the shipped config is loaded, then it validates and defines the seven categories', () => {
    expect(loadRiskRules().categories.map((c) => c.name)).toEqual([...KNOWN_RISK_CATEGORIES]);
  });

  it('when a pattern is not a valid regular expression, then the error names its path', () => {
    const issues = problemsOf(withChange((r) => { category(r, 'legal_threat').patterns.en?.push('(unclosed'); }));
    expect(issues.join('\n')).toMatch(/categories\.legal_threat\.patterns\.en\[\d+\].*invalid regular expression/);
  });

  it('when a category has no severity weight, then the error says so', () => {
    const issues = problemsOf(withChange((r) => { delete r.severity.weights['abusive']; }));
    expect(issues.join('\n')).toContain('category "abusive" has no severity weight');
  });

  it('when a key is misspelt, then it is rejected instead of ignored', () => {
    const issues = problemsOf(withChange((r) => { Object.assign(category(r, 'abusive'), { informationl: { zh: [], en: [] } }); }));
    expect(issues.join('\n')).toMatch(/categories\.abusive.*informationl/);
  });

  it('when thresholds are out of order, then the error explains the rule', () => {
    const issues = problemsOf(withChange((r) => { r.severity.thresholds.high = 1; }));
    expect(issues.join('\n')).toContain('low ≤ medium ≤ high ≤ critical');
  });

  it('when a pattern needs intent but the category has none, then it is rejected', () => {
    const issues = problemsOf(withChange((r) => { category(r, 'legal_threat').intent = { zh: ['找'], en: [] }; }));
    expect(issues.join('\n')).toContain('categories.legal_threat.intent.en');
  });

  it('when an informational entry has an unknown scope, then it is rejected', () => {
    const issues = problemsOf(withChange((r) => { category(r, 'legal_threat').informational?.en?.push({ pattern: 'x', scope: 'paragraph' } as never); }));
    expect(issues.join('\n')).toMatch(/categories\.legal_threat\.informational\.en\[\d+\]/);
  });

  it('when a rewrite is not a valid regular expression, then the error names its path', () => {
    const issues = problemsOf(withChange((r) => { r.rewrites?.push({ pattern: '(unclosed', replace: 'x' }); }));
    expect(issues.join('\n')).toMatch(/rewrites\[\d+\]\.pattern.*invalid regular expression/);
  });

  it('when the file is not YAML, then loading fails with the file name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'risk-rules-'));
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'version: 1\ncategories: [unclosed\n');
    expect(() => loadRiskRules(file)).toThrow(/broken\.yaml[\s\S]*not valid YAML/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('labelled set', () => {
  let examples: LabelledExample[];
  beforeAll(async () => {
    examples = (await readFile(LABELLED, 'utf8')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as LabelledExample);
  });

  it('when the labelled set is read, then it has enough examples of every kind for an honest benchmark', () => {
    expect(examples.length).toBeGreaterThanOrEqual(200);
    for (const category of KNOWN_RISK_CATEGORIES) {
      for (const lang of ['zh', 'en']) {
        expect(examples.filter((e) => e.lang === lang && e.categories.includes(category)).length, `${category}/${lang}`).toBeGreaterThanOrEqual(15);
      }
    }
    const hardNegatives = examples.filter((e) => e.categories.length === 0 && (e.note ?? '').startsWith('HN'));
    expect(hardNegatives.length * 3).toBeGreaterThanOrEqual(examples.length);
    expect(new Set(examples.map((e) => e.split))).toEqual(new Set(['dev', 'holdout']));
  });

  // The shipped rules and model together (the model was trained on dev, so this guards that the two files still fit
  // each other, e.g. after a rule edit without a retrain; how well they generalise is the benchmark's job).
  it('when the dev split is classified by the shipped rules and model, then micro-F1 stays ≥ 0.9 and the false-positive rate ≤ 3%', () => {
    const shipped = loadRiskDetector();
    const dev = examples.filter((e) => e.split === 'dev');
    const score = scorePredictions(dev.map((example) => ({ example, predicted: shipped.classify(example.text).categories })), KNOWN_RISK_CATEGORIES);
    expect(score.micro.f1).toBeGreaterThanOrEqual(0.9);
    expect(score.falsePositiveRate.rate).toBeLessThanOrEqual(0.03);
  });
});

describe('kefu risk classify (spawned)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'risk-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[], stdin: string) => runKefu(['risk', 'classify', ...args], { stdin });

  it('when JSON lines arrive with one bad line, then every good line is answered in order and the bad one is reported by number', async () => {
    const input = ['{"text":"我要退款"}', 'not json', '{"text":"Thanks, all sorted."}', '{"text":42}', '{"text":"I will sue you","context":{"valueTier":"platinum"}}'].join('\n');
    const { code, stdout, stderr } = await run([], `${input}\n`);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.text)).toEqual(['我要退款', 'Thanks, all sorted.', 'I will sue you']);
    expect(Object.keys(lines[0]!).sort()).toEqual(['categories', 'evidence', 'severity', 'text']);
    expect(lines[0]).toMatchObject({ categories: ['refund_demand'], severity: 'low' });
    expect(lines[1]).toMatchObject({ categories: [], severity: 'none', evidence: [] });
    expect(lines[2]!.categories).toEqual(['legal_threat']);
    expect(stderr).toMatch(/line 2: not valid JSON/);
    expect(stderr).toMatch(/line 4: text:/);
    expect(code).toBe(1);
  }, 60_000);

  it('when --rules points to another file, then that file decides', async () => {
    const custom = structuredClone(rawRules);
    custom.categories['abusive']?.patterns.en?.push({ id: 'abusive.en.test-word', pattern: '\\bwombat\\b' });
    const file = path.join(dir, 'custom.yaml');
    await writeFile(file, stringifyYaml(custom));
    const { code, stdout } = await run(['--rules', file], '{"text":"you wombat"}\n');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ categories: ['abusive'], evidence: ['abusive: "wombat" (abusive.en.test-word)'] });
  }, 60_000);

  it('when --rules points to an invalid file, then one clear message and exit code 2', async () => {
    const file = path.join(dir, 'invalid.yaml');
    await writeFile(file, 'version: 2\n');
    const { code, stdout, stderr } = await run(['--rules', file], '{"text":"hi"}\n');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/invalid risk rules in .*invalid\.yaml/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
