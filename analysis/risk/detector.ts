/**
 * The offline risk detector: normalise, run each category's patterns, drop informational and
 * negated hits, then (optionally) let the learned model add categories the rules missed, then score
 * severity. Synchronous and allocation-light so it can run on every inbound message before the bot answers.
 *
 * The rules lead: the model cannot add a category whose rule hit the rules judged negated or informational
 * ("我不会去投诉", "refund policy"), nor one whose strongest n-grams sit in a negated or informational frame by the
 * rules' own cues, nor one that rests on a question in which no rule of the category matched at all. The model
 * removes a rule's category only when it is nearly certain the message is not about it (probability below
 * `ruleVeto`): a keyword in a frame no rule foresaw ("my cat is threatening to sue", "posting the unboxing on
 * TikTok, it's gorgeous"). Measured leave-one-batch-out on blind sets 2 and 3, that cut false positives on risk-free
 * messages from 3.6% to 3.1% for 0.6 points of recall (docs/BENCHMARKS.md "## risk").
 */
import { normaliseText } from './normalise.js';
import { findSpans, informationalSpansOf, judgeHit, SegmentIndex, type InformationalSpan, type IntentGate, type MessageSegments } from './matcher.js';
import { displayTerm, termCore, termLanguage, termSpans } from './model/features.js';
import { RiskModelScorer, type RiskModel, type SparseVector } from './model/model.js';
import type { CompiledCategory, RiskRules } from './rules.js';
import { scoreSeverity, severityLevel } from './severity.js';
import type { FiredHit, LearnedHit, ModelSignals, RiskContext, RiskDetector, RiskResult, SuppressedHit, VetoedLearnedHit } from './types.js';

export interface RiskDetectorOptions {
  /** The learned model (model/model-file.ts loads one); without it the detector is rules only. */
  model?: RiskModel;
  /** One probability threshold for every category instead of the model's cross-validated ones. */
  modelThreshold?: number;
  /**
   * A rule's category is dropped when the model gives it less than this probability; 0 turns the veto off. Default:
   * the model file's own (the veto its thresholds were tuned with), else DEFAULT_RULE_VETO.
   */
  ruleVeto?: number;
}

/** The veto of model files written before the file stored its own (their thresholds were tuned with it). */
export const DEFAULT_RULE_VETO = 0.03;

/** How many n-grams a learned hit's evidence quotes, and how many are checked against the rules' negation. */
const EVIDENCE_TERMS = 3;
const VETO_TERMS = 5;

export function createRiskDetector(rules: RiskRules, options: RiskDetectorOptions = {}): RiskDetector {
  // Intent is looked for in both languages: customers mix them ("我要去FCC投诉", "I'll post it on 微博"),
  // and neither language's intent words occur by accident in the other's script.
  const intentOf = new Map(rules.categories.map((c) => [c.name, [...c.intent.zh, ...c.intent.en]]));
  const scorer = options.model ? new RiskModelScorer(options.model) : undefined;
  const order = new Map(rules.categories.map((c, i) => [c.name, i]));
  return {
    classify(text: string, context: RiskContext = {}): RiskResult {
      const normalisedText = normaliseText(text, rules.replacements, rules.rewrites);
      const segments: MessageSegments = {
        clauses: new SegmentIndex(normalisedText, rules.clauseBreak),
        sentences: new SegmentIndex(normalisedText, rules.sentenceBreak),
      };
      const fired: FiredHit[] = [];
      const firedKeys = new Set<string>();
      const suppressed: SuppressedHit[] = [];
      const categories: string[] = [];
      const informationalOf = new Map<string, InformationalSpan[]>();
      const informationalFor = (category: CompiledCategory) => {
        let spans = informationalOf.get(category.name);
        if (spans === undefined) {
          spans = informationalSpansOf(category.informational, normalisedText);
          informationalOf.set(category.name, spans);
        }
        return spans;
      };

      for (const category of rules.categories) {
        let gate: IntentGate | undefined;
        let categoryFired = false;
        for (const pattern of category.patterns) {
          for (const hit of findSpans(pattern.regex, normalisedText)) {
            const intent = pattern.needsIntent ? (gate ??= { patterns: intentOf.get(category.name) ?? [], scope: category.intentScope, cache: new Map() }) : undefined;
            const verdict = judgeHit(hit, informationalFor(category), segments, rules.negation[pattern.language], intent);
            if (verdict.kind === 'fired') {
              categoryFired = true;
              // A message repeating one threat gives one piece of evidence per rule and phrase.
              const key = `${pattern.id}\u0000${hit.text}`;
              if (!firedKeys.has(key)) {
                firedKeys.add(key);
                fired.push({ category: category.name, ruleId: pattern.id, phrase: hit.text, ...(verdict.intent === undefined ? {} : { intent: verdict.intent }) });
              }
            } else {
              suppressed.push({ category: category.name, ruleId: pattern.id, phrase: hit.text, reason: verdict.kind, by: verdict.by });
            }
          }
        }
        if (categoryFired) categories.push(category.name);
      }

      let model: ModelSignals | undefined;
      if (scorer) {
        model = learnedHits(scorer, options.modelThreshold, rules, normalisedText, segments, categories, suppressed, informationalFor);
        vetoRuleHits(model, options.ruleVeto ?? options.model?.ruleVeto ?? DEFAULT_RULE_VETO, categories, fired, suppressed);
      }
      const evidence = fired.map((f) => `${f.category}: "${f.phrase}"${f.intent === undefined ? '' : ` + intent "${f.intent}"`} (${f.ruleId})`);
      if (model) {
        for (const hit of model.fired) {
          categories.push(hit.category);
          evidence.push(`${hit.category}: model ${hit.probability.toFixed(2)} (${hit.terms.map((t) => `${displayTerm(t.term)} ${t.contribution.toFixed(2)}`).join(', ')})`);
        }
        categories.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
      }

      const breakdown = scoreSeverity(categories, context, rules.severity);
      const scored = severityLevel(breakdown.score, rules.severity.thresholds);
      // A detected category is never 'none', even if a risk team set its weight to 0.
      const severity = categories.length > 0 && scored === 'none' ? 'low' : scored;
      return {
        categories,
        severity,
        evidence,
        signals: { normalisedText, fired, suppressed, severity: breakdown, ...(model ? { model } : {}) },
      };
    },
  };
}

/**
 * Categories the model adds: probability at or above the threshold, not already found by the rules, and not vetoed.
 * Only categories the rule file defines are considered, so a risk team that removes a category removes it here too.
 */
function learnedHits(
  scorer: RiskModelScorer,
  thresholdOverride: number | undefined,
  rules: RiskRules,
  normalisedText: string,
  segments: MessageSegments,
  ruleCategories: readonly string[],
  suppressed: readonly SuppressedHit[],
  informationalFor: (category: CompiledCategory) => InformationalSpan[],
): ModelSignals {
  const x = scorer.vector(normalisedText);
  const p = scorer.probabilities(x);
  const { model } = scorer;
  const probabilities: Record<string, number> = {};
  const fired: LearnedHit[] = [];
  const vetoed: VetoedLearnedHit[] = [];
  model.categories.forEach((name, c) => {
    const probability = p[c]!;
    probabilities[name] = Number(probability.toFixed(4));
    const category = rules.categories.find((rc) => rc.name === name);
    const threshold = thresholdOverride ?? model.thresholds[name] ?? 1;
    if (!category || ruleCategories.includes(name) || probability < threshold) return;
    const veto = vetoOf(scorer, x, c, category, rules, normalisedText, segments, suppressed, informationalFor);
    if (veto) vetoed.push({ category: name, probability, ...veto });
    else fired.push({ category: name, probability, terms: evidenceTerms(scorer.topContributions(x, c, EVIDENCE_TERMS * 4)) });
  });
  return { probabilities, fired, vetoed };
}

/** Moves the rule hits of every category the model all but rules out from `fired` to `suppressed` (reason 'model'). */
function vetoRuleHits(model: ModelSignals, veto: number, categories: string[], fired: FiredHit[], suppressed: SuppressedHit[]): void {
  if (veto <= 0) return;
  const doubted = new Set(categories.filter((c) => (model.probabilities[c] ?? 1) < veto));
  if (doubted.size === 0) return;
  for (let i = fired.length - 1; i >= 0; i--) {
    const hit = fired[i]!;
    if (!doubted.has(hit.category)) continue;
    suppressed.push({ category: hit.category, ruleId: hit.ruleId, phrase: hit.phrase, reason: 'model', by: `model probability ${model.probabilities[hit.category]}` });
    fired.splice(i, 1);
  }
  for (let i = categories.length - 1; i >= 0; i--) if (doubted.has(categories[i]!)) categories.splice(i, 1);
}

// Without a question mark only a question word marks a question: "Will share this on Nairaland so others are warned"
// opens with a modal but is a statement with its subject dropped.
const ENGLISH_QUESTION = /^\s*(how|what|when|where|which|who|whom|whose|why)\b/;
// A rhetorical question asserts rather than asks: 你们还不处理？, 凭什么扣我钱？, "why haven't you refunded me?"
const RHETORICAL = /还不|凭什么|难道|怎么还|\bwhy (haven't|hasn't|won't|isn't|aren't|can't|didn't|don't|doesn't)\b|\bhow (dare|hard is it)\b/;

/** The sentence holding the model's strongest n-gram, when that sentence is a question. */
function questionAround(scorer: RiskModelScorer, x: SparseVector, c: number, normalisedText: string, segments: MessageSegments): string | undefined {
  const strongest = scorer.topContributions(x, c, 1)[0];
  const span = strongest ? termSpans(strongest.term, normalisedText)[0] : undefined;
  if (!span) return undefined;
  const sentence = segments.sentences.segmentOf(span);
  // Customers often leave the question mark off: an English sentence opening with a question word is a question too.
  const asked = /^[?？]/.test(normalisedText.slice(sentence.end, sentence.end + 1)) || /[吗呢]\s*$/.test(sentence.text) || ENGLISH_QUESTION.test(sentence.text);
  return asked && !RHETORICAL.test(sentence.text) ? sentence.text.trim().slice(0, 200) : undefined;
}

/** The strongest n-grams, skipping one that is part of (or contains) a stronger one already quoted ("~bac" after "back"). */
function evidenceTerms(top: { term: string; contribution: number }[]): { term: string; contribution: number }[] {
  const picked: { term: string; contribution: number }[] = [];
  for (const t of top) {
    const core = termCore(t.term);
    if (picked.some((p) => termCore(p.term).includes(core) || core.includes(termCore(p.term)))) continue;
    picked.push(t);
    if (picked.length === EVIDENCE_TERMS) break;
  }
  return picked;
}

/**
 * The rules' judgement applied to a learned hit. First, a rule hit of the same category that the rules suppressed
 * as negated or informational decides it. Otherwise the model's strongest n-grams are located in the text and
 * judged like a rule hit (informational patterns of the category, negation cues of the n-gram's language): when
 * the n-grams carrying most of the score all sit in such frames ("我不打算走法律途径", "not going to take legal
 * action"), the hit is vetoed. A hit that rests on a question in which no rule of the category matched is vetoed
 * too. An entity without intent words (no_intent) does not veto: finding threats the rules' word lists do not know
 * is what the model is for.
 */
function vetoOf(
  scorer: RiskModelScorer,
  x: SparseVector,
  c: number,
  category: CompiledCategory,
  rules: RiskRules,
  normalisedText: string,
  segments: MessageSegments,
  suppressed: readonly SuppressedHit[],
  informationalFor: (category: CompiledCategory) => InformationalSpan[],
): { reason: 'negated' | 'informational'; by: string } | undefined {
  const judged = suppressed.find((s) => s.category === category.name && (s.reason === 'negated' || s.reason === 'informational'));
  if (judged) return { reason: judged.reason as 'negated' | 'informational', by: judged.by };
  // A question with no rule pattern of the category at all is a policy or service question ("合约到期以后会自动续约吗？",
  // "Does the refund go back to my original payment method?"): the model alone does not make it a threat.
  if (!suppressed.some((s) => s.category === category.name)) {
    const question = questionAround(scorer, x, c, normalisedText, segments);
    if (question) return { reason: 'informational', by: question };
  }

  const top = scorer.topContributions(x, c, VETO_TERMS);
  const total = top.reduce((sum, t) => sum + t.contribution, 0);
  let framed = 0;
  let first: { reason: 'negated' | 'informational'; by: string } | undefined;
  for (const { term, contribution } of top) {
    const spans = termSpans(term, normalisedText);
    if (spans.length === 0) continue;
    let verdictOfTerm: { reason: 'negated' | 'informational'; by: string } | undefined;
    for (const span of spans) {
      const verdict = judgeHit(span, informationalFor(category), segments, rules.negation[termLanguage(term)], undefined);
      if (verdict.kind === 'fired' || verdict.kind === 'no_intent') {
        verdictOfTerm = undefined;
        break;
      }
      verdictOfTerm ??= { reason: verdict.kind, by: verdict.by };
    }
    if (verdictOfTerm) {
      framed += contribution;
      first ??= verdictOfTerm;
    }
  }
  return first && framed * 2 >= total ? first : undefined;
}
