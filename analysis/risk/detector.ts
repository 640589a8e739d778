/**
 * The offline risk detector: normalise, run each category's patterns, drop informational and
 * negated hits, then score severity. Synchronous and allocation-light so it can run on every
 * inbound message before the bot answers.
 */
import { normaliseText } from './normalise.js';
import { findSpans, informationalSpansOf, judgeHit, SegmentIndex, type MessageSegments } from './matcher.js';
import type { RiskRules } from './rules.js';
import { scoreSeverity, severityLevel } from './severity.js';
import type { FiredHit, RiskContext, RiskDetector, RiskResult, SuppressedHit } from './types.js';

export function createRiskDetector(rules: RiskRules): RiskDetector {
  return {
    classify(text: string, context: RiskContext = {}): RiskResult {
      const normalisedText = normaliseText(text, rules.replacements);
      const segments: MessageSegments = {
        clauses: new SegmentIndex(normalisedText, rules.clauseBreak),
        sentences: new SegmentIndex(normalisedText, rules.sentenceBreak),
      };
      const fired: FiredHit[] = [];
      const suppressed: SuppressedHit[] = [];
      const categories: string[] = [];

      for (const category of rules.categories) {
        let informationalSpans: ReturnType<typeof informationalSpansOf> | undefined;
        let categoryFired = false;
        for (const pattern of category.patterns) {
          for (const hit of findSpans(pattern.regex, normalisedText)) {
            informationalSpans ??= informationalSpansOf(category.informational, normalisedText);
            const intent = pattern.needsIntent ? { patterns: category.intent[pattern.language], scope: category.intentScope } : undefined;
            const verdict = judgeHit(hit, informationalSpans, segments, rules.negation[pattern.language], intent);
            if (verdict.kind === 'fired') {
              categoryFired = true;
              if (!fired.some((f) => f.category === category.name && f.ruleId === pattern.id && f.phrase === hit.text)) {
                fired.push({ category: category.name, ruleId: pattern.id, phrase: hit.text, ...(verdict.intent === undefined ? {} : { intent: verdict.intent }) });
              }
            } else {
              suppressed.push({ category: category.name, ruleId: pattern.id, phrase: hit.text, reason: verdict.kind, by: verdict.by });
            }
          }
        }
        if (categoryFired) categories.push(category.name);
      }

      const breakdown = scoreSeverity(categories, context, rules.severity);
      const scored = severityLevel(breakdown.score, rules.severity.thresholds);
      // A detected category is never 'none', even if a risk team set its weight to 0.
      const severity = categories.length > 0 && scored === 'none' ? 'low' : scored;
      return {
        categories,
        severity,
        evidence: fired.map((f) => `${f.category}: "${f.phrase}"${f.intent === undefined ? '' : ` + intent "${f.intent}"`} (${f.ruleId})`),
        signals: { normalisedText, fired, suppressed, severity: breakdown },
      };
    },
  };
}
