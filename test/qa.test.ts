import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChatOpenAIJudgeModel, createLlmJudge, type Judge } from '../analysis/qa/judge.js';
import { loadScorecard, parseScorecard, ScorecardError, type Scorecard } from '../analysis/qa/scorecard.js';
import { scoreTranscript, transcriptSchema, type Finding, type QaResult, type Transcript } from '../analysis/qa/score.js';
import { promptText, startFakeOpenAI, type FakeOpenAI } from './fakes/openai-server.js';
import { runKefu } from './helpers/kefu-cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = path.join(ROOT, 'test/fixtures/qa');

type Role = Transcript['messages'][number]['role'];
/** [role, text, seconds after the start (omit for no time), agent name] */
type Line = [Role, string, number?, string?];

function convo(lines: Line[], extra: Partial<Omit<Transcript, 'messages'>> = {}): Transcript {
  const start = Date.parse('2025-03-01T09:00:00Z');
  return {
    channel: 'web',
    ...extra,
    messages: lines.map(([role, text, seconds, agent]) => ({
      role,
      text,
      ...(seconds === undefined ? {} : { at: new Date(start + seconds * 1000).toISOString() }),
      ...(agent === undefined ? {} : { agent }),
    })),
  };
}

function finding(result: QaResult, id: string): Finding {
  const f = result.findings.find((x) => x.criterion === id);
  if (!f) throw new Error(`no finding for ${id}`);
  return f;
}

let card: Scorecard;
beforeAll(async () => {
  card = await loadScorecard();
});

// A compliant Chinese bot-only conversation; tests replace one message to break one rule at a time.
const zhGood: Line[] = [
  ['customer', '你好，我想咨询一下基金定投', 0],
  ['bot', '您好，欢迎咨询！基金定投可以在App的理财页面设置。温馨提示：投资有风险，理财非存款。', 3],
  ['customer', '好的，谢谢', 30],
  ['bot', '请问还有其他问题吗？感谢您的咨询，祝您生活愉快！', 33],
];
const enGood: Line[] = [
  ['customer', 'Hi, how do I set up a monthly plan for the Growth Fund?', 0],
  ['bot', 'Hello and welcome! You can set it up under Wealth > Plans. Please note investments carry risk and past performance does not guarantee future returns.', 2],
  ['customer', 'Thanks', 20],
  ['bot', 'Did that solve your question? Thank you for contacting us, have a nice day!', 22],
];
const replace = (lines: Line[], index: number, text: string): Line[] =>
  lines.map((l, i) => (i === index ? ([l[0], text, l[2], l[3]] as Line) : l));

describe('scorecard config', () => {
  it('when the shipped config/qa-scorecard.yaml is loaded, then it has rule and judged criteria with unique ids', () => {
    expect(card.criteria.filter((c) => c.kind === 'rule').length).toBeGreaterThanOrEqual(8);
    expect(card.criteria.filter((c) => c.kind === 'judged').map((c) => c.id)).toEqual(['empathy', 'accuracy', 'problem_solved']);
    expect(new Set(card.criteria.map((c) => c.id)).size).toBe(card.criteria.length);
  });

  it('when a criterion has a bad severity, a negative weight and a misspelt key, then each is reported with the criterion id', () => {
    const yaml = `version: 1
name: t
criteria:
  - id: greeting
    name: Greeting
    kind: rule
    check: must_say
    severity: urgent
    weight: -1
    phrses: { zh: [您好] }
`;
    let message = '';
    try {
      parseScorecard(yaml, 'bad.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ScorecardError);
      message = (err as Error).message;
    }
    expect(message).toContain('bad.yaml is not a valid scorecard');
    expect(message).toMatch(/criteria\[0\] \(greeting\)\.severity: .*critical.*major.*minor/);
    expect(message).toMatch(/criteria\[0\] \(greeting\)\.weight: must be greater than 0/);
    expect(message).toMatch(/criteria\[0\] \(greeting\).*phrses/);
  });

  it('when ids repeat, a regex is invalid or the check is unknown, then the load fails naming each', () => {
    const yaml = `version: 1
name: t
criteria:
  - { id: a, name: A, kind: rule, check: forbidden, severity: minor, weight: 1, phrases: { patterns: ["(unclosed"] } }
  - { id: a, name: A2, kind: rule, check: forbidden, severity: minor, weight: 1, phrases: { en: [x] } }
  - { id: b, name: B, kind: rule, check: shout, severity: minor, weight: 1 }
`;
    expect(() => parseScorecard(yaml, 'bad.yaml')).toThrow(/criteria\[0\] \(a\)\.phrases\.patterns\[0\]: invalid regular expression/);
    expect(() => parseScorecard(yaml, 'bad.yaml')).toThrow(/criteria\[1\] \(a\)\.id: duplicate id "a"/);
    expect(() => parseScorecard(yaml, 'bad.yaml')).toThrow(/criteria\[2\] \(b\)\.check: check must be one of must_say/);
  });

  it('when the YAML itself is broken, then the error says so', () => {
    expect(() => parseScorecard('version: 1\ncriteria: [\n', 'broken.yaml')).toThrow(/broken.yaml is not valid YAML/);
  });

  it('when the file does not exist, then loadScorecard says it cannot read it', async () => {
    await expect(loadScorecard('/nonexistent/qa.yaml')).rejects.toThrow(/cannot read scorecard \/nonexistent\/qa.yaml: ENOENT/);
  });
});

describe('transcript schema', () => {
  it('when a message has an unknown role or a non-ISO time, then validation names the message', () => {
    const parsed = transcriptSchema.safeParse({ channel: 'web', messages: [{ role: 'robot', text: 'x' }, { role: 'bot', text: 'y', at: 'yesterday' }] });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['messages.0.role', 'messages.1.at']));
  });
});

describe('rules on the shipped scorecard', () => {
  it('when zh and en conversations follow every rule, then all rule criteria pass, citing the messages', async () => {
    for (const lines of [zhGood, enGood]) {
      const result = await scoreTranscript(convo(lines), card);
      const rules = result.findings.filter((f) => f.kind === 'rule' && f.status !== 'not_applicable');
      expect(rules.map((f) => [f.criterion, f.status])).toEqual(rules.map((f) => [f.criterion, 'pass']));
      expect(finding(result, 'greeting').evidence).toEqual([1]);
      expect(finding(result, 'risk_disclosure').evidence).toEqual([0, 1]);
      expect(finding(result, 'resolution_check').evidence).toEqual([3]);
      expect(finding(result, 'closing').evidence).toEqual([3]);
      expect(result.score).toBe(100);
      expect(result.passed).toBe(true);
    }
  });

  it('when the language is absent, then it is detected from the text; when given, it is kept', async () => {
    expect((await scoreTranscript(convo(zhGood), card)).language).toBe('zh');
    expect((await scoreTranscript(convo(enGood), card)).language).toBe('en');
    expect((await scoreTranscript(convo(enGood, { language: 'zh' }), card)).language).toBe('zh');
  });

  it('when the first staff message has no greeting, then greeting fails citing that message', async () => {
    const zh = await scoreTranscript(convo(replace(zhGood, 1, '基金定投在App理财页面设置。投资有风险，理财非存款。')), card);
    expect(finding(zh, 'greeting')).toMatchObject({ status: 'fail', passed: false, evidence: [1], severity: 'minor' });
    const en = await scoreTranscript(convo(replace(enGood, 1, 'Go to Wealth > Plans. Investments carry risk.')), card);
    expect(finding(en, 'greeting')).toMatchObject({ status: 'fail', evidence: [1] });
    // "hi" must not be found inside "this": English phrases match whole words only.
    const inside = await scoreTranscript(convo(replace(enGood, 1, 'Do this under Wealth > Plans. Investments carry risk.')), card);
    expect(finding(inside, 'greeting').status).toBe('fail');
  });

  it('when the agent introduces themself (zh, en, or by name), then agent_intro passes citing that message', async () => {
    const zh = await scoreTranscript(convo([
      ['customer', '转人工', 0], ['agent', '您好，我是客服小王，工号1023。', 20, '王芳'], ['agent', '请问还有其他问题吗？再见', 40, '王芳'],
    ]), card);
    expect(finding(zh, 'agent_intro')).toMatchObject({ status: 'pass', evidence: [1] });
    const en = await scoreTranscript(convo([
      ['customer', 'agent please', 0], ['agent', 'Sorry for the wait.', 20, 'Alice'], ['agent', "Hi, I'm Alice from the cards team.", 25, 'Alice'],
    ]), card);
    expect(finding(en, 'agent_intro')).toMatchObject({ status: 'pass', evidence: [2] });
    const byName = await scoreTranscript(convo([['customer', 'agent please', 0], ['agent', 'Hi there, Bob here!', 20, 'Bob']]), card);
    expect(finding(byName, 'agent_intro')).toMatchObject({ status: 'pass', evidence: [1] });
  });

  it('when the agent never introduces themself, then agent_intro fails citing the first two agent messages', async () => {
    const result = await scoreTranscript(convo([
      ['customer', 'agent please', 0], ['agent', 'I am sorry for the wait.', 20, 'Alice'], ['customer', 'ok', 30],
      ['agent', 'What can I do for you?', 35, 'Alice'], ['agent', 'Anything else?', 60, 'Alice'],
    ]), card);
    expect(finding(result, 'agent_intro')).toMatchObject({ status: 'fail', evidence: [1, 3] });
  });

  it('when the conversation is bot-only, then agent criteria are not applicable and left out of the score', async () => {
    const result = await scoreTranscript(convo(zhGood), card);
    for (const id of ['agent_intro', 'agent_first_response']) {
      expect(finding(result, id)).toMatchObject({ status: 'not_applicable', passed: null, evidence: [] });
    }
    expect(result.summary.notApplicable).toBeGreaterThanOrEqual(2);
    expect(result.score).toBe(100);
  });

  it('when a wealth product comes up without the risk wording, then risk_disclosure fails citing where it came up (zh and en)', async () => {
    const zh = await scoreTranscript(convo(replace(zhGood, 1, '您好，欢迎咨询！基金定投可以在App的理财页面设置。')), card);
    expect(finding(zh, 'risk_disclosure')).toMatchObject({ status: 'fail', severity: 'critical', evidence: [0, 1] });
    const en = await scoreTranscript(convo(replace(enGood, 1, 'Hello! You can set it up under Wealth > Plans.')), card);
    expect(finding(en, 'risk_disclosure')).toMatchObject({ status: 'fail', evidence: [0] });
  });

  it('when the disclosure is written in traditional Chinese, then it still counts', async () => {
    const result = await scoreTranscript(convo(replace(zhGood, 1, '您好，歡迎諮詢！基金定投可在App設置。投資有風險，理財非存款。')), card);
    expect(finding(result, 'risk_disclosure')).toMatchObject({ status: 'pass', evidence: [0, 1] });
  });

  it('when no product is discussed, then risk_disclosure is not applicable', async () => {
    const result = await scoreTranscript(convo([
      ['customer', '我的信用卡丢了', 0], ['bot', '您好，已为您冻结卡片。还有其他问题吗？祝您生活愉快', 2],
    ]), card);
    expect(finding(result, 'risk_disclosure').status).toBe('not_applicable');
  });

  it('when staff promise guaranteed returns, then the critical rule fails citing the message; a denial does not count', async () => {
    const zh = await scoreTranscript(convo(replace(zhGood, 1, '您好，这款基金非常稳赚，保本保收益。投资有风险。')), card);
    expect(finding(zh, 'no_guaranteed_returns')).toMatchObject({ status: 'fail', evidence: [1] });
    expect(finding(zh, 'no_guaranteed_returns').note).toContain('保本保收益');
    const en = await scoreTranscript(convo(replace(enGood, 1, 'Hello! This fund offers guaranteed returns. Investments carry risk.')), card);
    expect(finding(en, 'no_guaranteed_returns')).toMatchObject({ status: 'fail', evidence: [1] });

    const zhDenied = await scoreTranscript(convo(replace(zhGood, 1, '您好，理财非存款，产品不保本，我们不能保证收益。')), card);
    expect(finding(zhDenied, 'no_guaranteed_returns')).toMatchObject({ status: 'pass', evidence: [1, 3] });
    const enDenied = await scoreTranscript(convo(replace(enGood, 1, 'Hello! We cannot guarantee returns; investments carry risk.')), card);
    expect(finding(enDenied, 'no_guaranteed_returns').status).toBe('pass');
  });

  it('when staff promise compensation, then no_compensation_promise fails (zh and en)', async () => {
    const zh = await scoreTranscript(convo([['customer', '扣款错了', 0], ['bot', '您好，我们保证赔偿您的损失。', 3]]), card);
    expect(finding(zh, 'no_compensation_promise')).toMatchObject({ status: 'fail', evidence: [1], severity: 'critical' });
    const en = await scoreTranscript(convo([
      ['customer', 'You charged me twice', 0], ['agent', 'Hello, I promise we will fully compensate you.', 30, 'Sam'],
    ]), card);
    expect(finding(en, 'no_compensation_promise')).toMatchObject({ status: 'fail', evidence: [1] });
    const enPhrase = await scoreTranscript(convo([['customer', 'Broken!', 0], ['bot', 'Hi, we will definitely compensate you.', 1]]), card);
    expect(finding(enPhrase, 'no_compensation_promise').status).toBe('fail');
  });

  it('when staff insult the customer, then no_insults fails; the customer insulting staff does not count', async () => {
    const zh = await scoreTranscript(convo([['customer', '怎么还没到账', 0], ['agent', '你是不是傻，自己看App', 30, '张三']]), card);
    expect(finding(zh, 'no_insults')).toMatchObject({ status: 'fail', evidence: [1] });
    const en = await scoreTranscript(convo([['customer', 'Where is my money', 0], ['agent', 'That is a stupid question.', 30, 'Sam']]), card);
    expect(finding(en, 'no_insults')).toMatchObject({ status: 'fail', evidence: [1] });
    const customerOnly = await scoreTranscript(convo([['customer', '你们这群白痴', 0], ['bot', '您好，非常抱歉给您带来不便。', 2]]), card);
    expect(finding(customerOnly, 'no_insults')).toMatchObject({ status: 'pass', evidence: [1] });
  });

  it('when the first reply is slow, then first_response fails citing the waiting and the replying message', async () => {
    const slow = zhGood.map((l, i) => (i === 1 ? ([l[0], l[1], 45] as Line) : l));
    const result = await scoreTranscript(convo(slow), card);
    expect(finding(result, 'first_response')).toMatchObject({ status: 'fail', evidence: [0, 1], severity: 'major' });
    expect(finding(result, 'first_response').note).toContain('45 s');
  });

  it('when messages have no times, then the time criteria are not applicable', async () => {
    const result = await scoreTranscript(convo(zhGood.map(([r, t]) => [r, t] as Line)), card);
    expect(finding(result, 'first_response').status).toBe('not_applicable');
    expect(finding(result, 'reply_time').status).toBe('not_applicable');
  });

  it('when the bot hands over, then the agent pick-up time runs from the customer request to the agent, past the bot notice', async () => {
    const result = await scoreTranscript(convo([
      ['bot', '您好，请问有什么可以帮您？', 0], ['customer', '转人工', 5], ['bot', '正在为您转接人工客服', 6],
      ['agent', '您好，我是客服小李', 200, '李'],
    ]), card);
    expect(finding(result, 'agent_first_response')).toMatchObject({ status: 'fail', evidence: [1, 3] });
    expect(finding(result, 'agent_first_response').note).toContain('195 s');
  });

  it('when one later reply is slower than allowed, then reply_time fails citing that pair only', async () => {
    const lines: Line[] = [...enGood.slice(0, 3), ['bot', 'Did that solve your question? Thank you for contacting us, bye!', 140]];
    const result = await scoreTranscript(convo(lines), card);
    expect(finding(result, 'reply_time')).toMatchObject({ status: 'fail', evidence: [2, 3] });
  });

  it('when staff never check the problem is solved nor close properly, then both fail citing the last staff messages', async () => {
    const zh = await scoreTranscript(convo(replace(zhGood, 3, '好的。')), card);
    expect(finding(zh, 'resolution_check')).toMatchObject({ status: 'fail', evidence: [1, 3] });
    expect(finding(zh, 'closing')).toMatchObject({ status: 'fail', evidence: [3] });
    const en = await scoreTranscript(convo(replace(enGood, 3, 'OK.')), card);
    expect(finding(en, 'resolution_check')).toMatchObject({ status: 'fail', evidence: [1, 3] });
    expect(finding(en, 'closing')).toMatchObject({ status: 'fail', evidence: [3] });
  });

  it('whatever the conversation, every evidence index points at an existing message', async () => {
    const fixtures = [zhGood, enGood, replace(zhGood, 1, '保本保收益'), replace(enGood, 3, 'ok')].map((l) => convo(l));
    for (const t of fixtures) {
      const result = await scoreTranscript(t, card);
      for (const f of result.findings) {
        for (const i of f.evidence) expect(i >= 0 && i < t.messages.length, `${f.criterion} cites ${i}`).toBe(true);
        if (f.status === 'pass' || f.status === 'fail') expect(f.evidence.length, f.criterion).toBeGreaterThan(0);
      }
    }
  });
});

describe('score and pass/fail', () => {
  const mini = (passScore: number) => parseScorecard(`version: 1
name: mini
passScore: ${passScore}
criteria:
  - { id: greeting, name: G, kind: rule, check: must_say, severity: minor, weight: 1, phrases: { zh: [您好], en: [hello] } }
  - { id: closing, name: C, kind: rule, check: must_say, severity: major, weight: 3, window: { from: end, messages: 1 }, phrases: { zh: [再见], en: [goodbye] } }
  - { id: no_promise, name: P, kind: rule, check: forbidden, severity: critical, weight: 1, phrases: { zh: [稳赚], en: [guaranteed returns] } }
  - { id: zh_only, name: Z, kind: rule, check: must_say, severity: minor, weight: 5, languages: [zh], phrases: { zh: [亲] } }
  - { id: agent_intro, name: I, kind: rule, check: must_say, severity: minor, weight: 5, roles: [agent], phrases: { en: [my name is] } }
`, 'mini.yaml');

  it('when a minor criterion fails, then the score is the weight of passed over the weight of applicable criteria', async () => {
    const result = await scoreTranscript(convo([['customer', 'hi', 0], ['bot', 'Sure thing. Goodbye!', 1]]), mini(70));
    // greeting (1) fails; closing (3) and no_promise (1) pass; zh_only and agent_intro do not apply.
    expect(finding(result, 'zh_only')).toMatchObject({ status: 'not_applicable', note: 'only applies to zh conversations' });
    expect(result.score).toBe(80);
    expect(result.passed).toBe(true);
    expect(result.summary).toMatchObject({ scored: 3, passedCriteria: 2, failedCriteria: 1, criticalFailures: [] });
  });

  it('when a critical criterion fails, then the conversation fails even with a score above the pass mark', async () => {
    const result = await scoreTranscript(convo([['customer', 'hi', 0], ['bot', 'Hello! Guaranteed returns here. Goodbye!', 1]]), mini(70));
    expect(result.score).toBe(80);
    expect(result.passed).toBe(false);
    expect(result.summary.criticalFailures).toEqual(['no_promise']);
  });

  it('when the score is below the pass mark, then the conversation fails without any critical failure', async () => {
    const result = await scoreTranscript(convo([['customer', 'hi', 0], ['bot', 'Hello! Sure.', 1]]), mini(70));
    expect(result.score).toBe(40);
    expect(result.passed).toBe(false);
    expect(result.summary.criticalFailures).toEqual([]);
  });
});

describe('LLM judge through the fake OpenAI server', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const judgeOnly = (criteria: string) => parseScorecard(`version: 1
name: judged
criteria:
${criteria}`, 'judged.yaml');
  const empathyCard = () => judgeOnly(`  - id: empathy
    name: Empathy
    kind: judged
    severity: major
    weight: 1
    rubric: The agent acknowledges the customer's frustration.
`);
  const angry = convo([['customer', '我等了三天了，太让人生气了！', 0], ['agent', '非常抱歉让您久等了，我马上为您处理。', 20, '李']]);
  const judgeWith = (opts: { method?: 'functionCalling' | 'jsonSchema'; maxRetries?: number; maxAttempts?: number } = {}): Judge =>
    createLlmJudge(
      createChatOpenAIJudgeModel({ model: 'gpt-4o-mini', apiKey: 'test-key', baseURL: fake.baseURL, temperature: 0, maxRetries: opts.maxRetries ?? 2 }),
      { method: opts.method, maxAttempts: opts.maxAttempts ?? 3 },
    );

  it('when the judge answers with a valid verdict, then the finding carries it and the prompt holds rubric and numbered transcript', async () => {
    fake.script({ structured: { verdict: 'pass', evidence: [0, 1], note: '坐席致歉并安抚了客户。' } });
    const result = await scoreTranscript(angry, empathyCard(), { judge: judgeWith() });
    expect(finding(result, 'empathy')).toMatchObject({ kind: 'judged', status: 'pass', passed: true, evidence: [0, 1], note: '坐席致歉并安抚了客户。' });
    const [request] = fake.chatRequests();
    expect(request?.body.tool_choice).toEqual({ type: 'function', function: { name: 'qa_verdict' } });
    const prompt = promptText(request!);
    expect(prompt).toContain("The agent acknowledges the customer's frustration.");
    expect(prompt).toContain('[0] customer: 我等了三天了，太让人生气了！');
    expect(prompt).toContain('[1] agent (李): 非常抱歉让您久等了');
    expect(prompt).toContain('Chinese');
  });

  it('when the scorecard asks for jsonSchema, then the request uses response_format json_schema and the verdict is read from the content', async () => {
    fake.script({ structured: { verdict: 'fail', evidence: [1], note: 'No acknowledgement.' } });
    const result = await scoreTranscript(angry, empathyCard(), { judge: judgeWith({ method: 'jsonSchema' }) });
    expect(finding(result, 'empathy')).toMatchObject({ status: 'fail', passed: false, evidence: [1] });
    expect(fake.chatRequests()[0]?.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'qa_verdict' } });
  });

  it('when the judge answers malformed every time, then it is retried up to maxAttempts and the criterion is unjudged', async () => {
    fake.script(
      { toolCalls: [{ name: 'qa_verdict', arguments: '{"verdict": "pass", ' }] },
      { structured: { verdict: 'maybe', evidence: [1], note: 'x' } },
      { structured: { verdict: 'pass', evidence: [9], note: 'cites a message that does not exist' } },
    );
    const result = await scoreTranscript(angry, empathyCard(), { judge: judgeWith() });
    const f = finding(result, 'empathy');
    expect(f).toMatchObject({ status: 'unjudged', passed: null, evidence: [] });
    expect(f.note).toMatch(/attempt 1: .*not valid JSON.*attempt 2: .*verdict.*attempt 3: .*cited message\(s\) 9/);
    expect(fake.chatRequests()).toHaveLength(3);
    expect(result.summary.unjudged).toBe(1);
  });

  it('when the first answer is malformed and the second valid, then the verdict of the second is used', async () => {
    fake.script({ content: 'I think it passes' }, { structured: { verdict: 'pass', evidence: [1], note: 'ok' } });
    const result = await scoreTranscript(angry, empathyCard(), { judge: judgeWith() });
    expect(finding(result, 'empathy')).toMatchObject({ status: 'pass', evidence: [1] });
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('when the server answers 429 with retry-after, then the call is retried and the verdict arrives', async () => {
    fake.script(
      { status: 429, headers: { 'retry-after': '0' }, error: { message: 'Rate limit reached' } },
      { structured: { verdict: 'pass', evidence: [1], note: 'ok' } },
    );
    const result = await scoreTranscript(angry, empathyCard(), { judge: judgeWith() });
    expect(finding(result, 'empathy').status).toBe('pass');
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('when the server keeps failing with 500, then the criterion is unjudged after the client retries, not retried again by the judge', async () => {
    fake.fallback(() => ({ status: 500 }));
    const result = await scoreTranscript(angry, empathyCard(), { judge: judgeWith({ maxRetries: 0 }) });
    expect(finding(result, 'empathy')).toMatchObject({ status: 'unjudged' });
    expect(finding(result, 'empathy').note).toMatch(/^judge call failed .*500/);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('when knowledge excerpts are given, then the accuracy prompt includes them; without them no call is made', async () => {
    const accuracy = judgeOnly(`  - id: accuracy
    name: Accuracy
    kind: judged
    severity: major
    weight: 1
    needsKnowledge: true
    rubric: Statements agree with the knowledge base excerpts.
`);
    const t = convo([['customer', 'What is the transfer fee?', 0], ['bot', 'Hello, transfers are free.', 1]]);
    const withoutKb = await scoreTranscript(t, accuracy, { judge: judgeWith() });
    expect(finding(withoutKb, 'accuracy')).toMatchObject({ status: 'unjudged', note: 'needs knowledge-base excerpts and none were supplied' });
    expect(fake.chatRequests()).toHaveLength(0);

    fake.script({ structured: { verdict: 'fail', evidence: [1], note: 'The fee is 5 USD, not free.' } });
    const withKb = await scoreTranscript(t, accuracy, { judge: judgeWith(), knowledge: ['International transfers cost 5 USD each.'] });
    expect(finding(withKb, 'accuracy')).toMatchObject({ status: 'fail', evidence: [1] });
    expect(promptText(fake.chatRequests()[0]!)).toContain('(1) International transfers cost 5 USD each.');
    expect(promptText(fake.chatRequests()[0]!)).toContain('Write the note in English');
  });

  it('when no LLM is configured, then judged criteria are unjudged and left out of the score', async () => {
    const result = await scoreTranscript(convo(zhGood), card);
    for (const id of ['empathy', 'accuracy', 'problem_solved']) {
      expect(finding(result, id)).toMatchObject({ status: 'unjudged', passed: null, note: 'no LLM judge configured' });
    }
    expect(result.score).toBe(100);
    expect(fake.requests).toHaveLength(0);
  });

  it('when the judged roles never spoke, then the judge is not called and the criterion is not applicable', async () => {
    const agentOnly = judgeOnly(`  - { id: agent_empathy, name: E, kind: judged, severity: major, weight: 1, roles: [agent], rubric: "The agent shows empathy." }
`);
    const result = await scoreTranscript(convo(zhGood), agentOnly, { judge: judgeWith() });
    expect(finding(result, 'agent_empathy').status).toBe('not_applicable');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('kefu qa score (spawned process)', () => {
  let dir: string;
  let fake: FakeOpenAI;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kefu-qa-'));
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The real CLI; async so the fake LLM in this process keeps answering while the child runs. */
  const run = (args: string[], env: Record<string, string> = {}) => runKefu(['qa', 'score', ...args], { env });

  it('when given a valid transcript and no LLM, then it prints the score, pass flag and findings as JSON', async () => {
    const { code, stdout, stderr } = await run([path.join(FIXTURES, 'en-guaranteed-returns.json')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as QaResult;
    expect(out.passed).toBe(false);
    expect(out.score).toBeGreaterThanOrEqual(0);
    expect(out.score).toBeLessThanOrEqual(100);
    expect(finding(out, 'no_guaranteed_returns')).toMatchObject({ status: 'fail', evidence: [2] });
    expect(finding(out, 'risk_disclosure')).toMatchObject({ status: 'fail', evidence: [1] });
    expect(finding(out, 'empathy').status).toBe('unjudged');
  });

  it('when an LLM is configured, then judged criteria are decided by it', async () => {
    fake.reset();
    fake.fallback((req) => ({
      structured: { verdict: 'pass', evidence: [6], note: promptText(req).includes('problem_solved') ? '问题已解决' : '态度良好' },
    }));
    const { code, stdout } = await run(
      [path.join(FIXTURES, 'zh-wealth-handoff.json'), '--knowledge', path.join(FIXTURES, 'knowledge.json')],
      { OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: 'test-key' },
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as QaResult;
    expect(out.findings.filter((f) => f.kind === 'judged').map((f) => [f.criterion, f.status]))
      .toEqual([['empathy', 'pass'], ['accuracy', 'pass'], ['problem_solved', 'pass']]);
    expect(finding(out, 'problem_solved').note).toBe('问题已解决');
    expect(out.passed).toBe(true);
    expect(fake.chatRequests()).toHaveLength(3);
    expect(promptText(fake.chatRequests()[1]!)).toContain('稳健型理财产品过往年化收益约3%');
  });

  it('when --no-judge is given, then no LLM call is made even with an LLM configured', async () => {
    fake.reset();
    const { code, stdout } = await run([path.join(FIXTURES, 'zh-wealth-handoff.json'), '--no-judge'], { OPENAI_BASE_URL: fake.baseURL });
    expect(code).toBe(0);
    expect(finding(JSON.parse(stdout) as QaResult, 'empathy').status).toBe('unjudged');
    expect(fake.requests).toHaveLength(0);
  });

  it('when the file is not JSON, then it exits 1 with one clear line and no stack trace', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"channel": "web", "messages": [');
    const { code, stdout, stderr } = await run([file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^kefu: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`));
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('when the transcript breaks the schema, then it exits 1 naming the bad field', async () => {
    const file = path.join(dir, 'bad-role.json');
    await writeFile(file, JSON.stringify({ channel: 'web', messages: [{ role: 'customer', text: 'hi' }, { role: 'robot', text: 'hello' }] }));
    const { code, stderr } = await run([file]);
    expect(code).toBe(1);
    expect(stderr).toContain('is not a valid transcript');
    expect(stderr).toContain('messages[1].role');
  });

  it('when the file does not exist or the scorecard is invalid, then it exits 1 saying which', async () => {
    const missing = await run([path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read transcript .*nope\.json: ENOENT/);

    const scorecard = path.join(dir, 'card.yaml');
    await writeFile(scorecard, 'version: 1\nname: x\ncriteria:\n  - { id: greeting, name: G, kind: rule, check: must_say, severity: minor, weight: 0, phrases: { en: [hi] } }\n');
    const bad = await run([path.join(FIXTURES, 'zh-wealth-handoff.json'), '--scorecard', scorecard]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('criteria[0] (greeting).weight: must be greater than 0');
  });
});
