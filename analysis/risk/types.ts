/**
 * Shared shapes of the risk detector. Categories are plain strings because the set lives in
 * config/risk-rules.yaml (risk teams may add one without a code change); the built-in set is
 * listed in KNOWN_RISK_CATEGORIES for documentation and tests.
 */

export const KNOWN_RISK_CATEGORIES = [
  'refund_demand',
  'regulator_complaint',
  'legal_threat',
  'public_exposure',
  'churn_threat',
  'compliance_doubt',
  'abusive',
] as const;

export const SEVERITY_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITY_LEVELS)[number];

/** Optional conversation context that moves severity, never the categories. */
export interface RiskContext {
  /** Categories detected earlier in this conversation (one entry per earlier hit). */
  priorCategories?: string[];
  /** Customer value tier, e.g. 'standard' | 'gold' | 'platinum'; unknown tiers use the default multiplier. */
  valueTier?: string;
  /** Sentiment trend over the conversation, -1 (worsening) .. 1 (improving). */
  sentimentTrend?: number;
}

/** A pattern hit that did not count, kept so a reviewer can see why. */
export interface SuppressedHit {
  category: string;
  ruleId: string;
  phrase: string;
  /**
   * 'negated' by a cue such as 不会/not, 'informational' by an exclusion pattern, 'no_intent' when
   * a bare entity (律师, FCC…) had no threat/action wording in its clause, 'model' when the learned model gave the
   * category almost no chance (below the detector's ruleVeto).
   */
  reason: 'negated' | 'informational' | 'no_intent' | 'model';
  /** The cue, exclusion text or (for no_intent) clause that decided it. */
  by: string;
}

export interface FiredHit {
  category: string;
  ruleId: string;
  phrase: string;
  /** For intent-gated patterns, the threat/action wording that let the hit count. */
  intent?: string;
}

export interface SeverityBreakdown {
  /** Sum of the weights of the categories found in this message. */
  base: number;
  /** Extra weight for each category beyond the first found in this message. */
  multiCategory: number;
  /** Extra weight for categories already seen earlier in the conversation. */
  repetition: number;
  /** Extra weight for a worsening sentiment trend. */
  sentiment: number;
  /** Multiplier applied for the customer's value tier. */
  tierMultiplier: number;
  /** (base + multiCategory + repetition + sentiment) × tierMultiplier. */
  score: number;
}

/** A category the learned model added, with the n-grams that raised its score most (weight × feature value). */
export interface LearnedHit {
  category: string;
  probability: number;
  terms: { term: string; contribution: number }[];
}

/** A learned hit the rules' judgement overruled: the cue or informational text that did it. */
export interface VetoedLearnedHit {
  category: string;
  probability: number;
  reason: 'negated' | 'informational';
  by: string;
}

export interface ModelSignals {
  /** The model's probability of every category (also those the rules found). */
  probabilities: Record<string, number>;
  fired: LearnedHit[];
  vetoed: VetoedLearnedHit[];
}

export interface RiskSignals {
  /** Text after NFKC, traditional→simplified and lower-casing: what the patterns saw. */
  normalisedText: string;
  fired: FiredHit[];
  suppressed: SuppressedHit[];
  severity: SeverityBreakdown;
  /** Present when the detector runs with the learned model. */
  model?: ModelSignals;
}

export interface RiskResult {
  /** Detected categories, in config order. */
  categories: string[];
  severity: Severity;
  /**
   * Human-readable reasons, one per fired rule: `category: "phrase" [+ intent "…"] (rule id)`, then one per learned
   * hit: `category: model 0.87 (退钱 0.41, 给我退 0.22, ·refu 0.10)` (probability, then the strongest n-grams).
   */
  evidence: string[];
  signals: RiskSignals;
}

export interface RiskDetector {
  classify(text: string, context?: RiskContext): RiskResult;
}

/**
 * Optional second opinion from a language model. The offline detector never calls it; a caller
 * that has a model may run it on messages the rules left uncertain and merge the verdicts itself.
 */
export interface RiskLlmClassifier {
  classify(text: string, context?: RiskContext): Promise<{ categories: string[]; rationale: string }>;
}
