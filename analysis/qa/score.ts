import type { Language } from '../../core/domain.js';
import type { Judge, JudgeOutcome } from './judge.js';
import { checkRule } from './rules.js';
import type { Criterion, Scorecard, Severity } from './scorecard.js';
import { prepareTranscript, type PreparedTranscript, type Transcript } from './transcript.js';

export { transcriptSchema, type Transcript } from './transcript.js';

export type FindingStatus = 'pass' | 'fail' | 'not_applicable' | 'unjudged';

export interface Finding {
  criterion: string;
  name: string;
  kind: Criterion['kind'];
  status: FindingStatus;
  /** true/false for a verdict; null when there is none (not applicable, or no judge answer). */
  passed: boolean | null;
  severity: Severity;
  weight: number;
  /** Indexes into transcript.messages the finding rests on. */
  evidence: number[];
  note: string;
}

export interface QaResult {
  /** 0-100: weight of passed criteria over weight of criteria that got a verdict. */
  score: number;
  /** No critical criterion failed and score ≥ scorecard.passScore. */
  passed: boolean;
  findings: Finding[];
  language: Language;
  summary: {
    scored: number;
    passedCriteria: number;
    failedCriteria: number;
    notApplicable: number;
    unjudged: number;
    criticalFailures: string[];
    passScore: number;
  };
}

export interface ScoreOptions {
  /** Decides `judged` criteria; without it they are reported `unjudged`. */
  judge?: Judge;
  /** Knowledge-base excerpts for criteria that check accuracy. */
  knowledge?: readonly string[];
}

async function evaluate(criterion: Criterion, transcript: PreparedTranscript, options: ScoreOptions): Promise<JudgeOutcome> {
  if (criterion.languages && !criterion.languages.includes(transcript.language)) {
    return { status: 'not_applicable', evidence: [], note: `only applies to ${criterion.languages.join('/')} conversations` };
  }
  if (criterion.kind === 'rule') return checkRule(criterion, transcript);
  const roles: readonly string[] = criterion.roles;
  if (!transcript.messages.some((m) => roles.includes(m.role))) {
    return { status: 'not_applicable', evidence: [], note: `no ${criterion.roles.join('/')} messages in this conversation` };
  }
  if (!options.judge) return { status: 'unjudged', evidence: [], note: 'no LLM judge configured' };
  return options.judge.evaluate({ criterion, transcript, knowledge: options.knowledge ?? [] });
}

function toFinding(criterion: Criterion, outcome: JudgeOutcome): Finding {
  return {
    criterion: criterion.id,
    name: criterion.name,
    kind: criterion.kind,
    status: outcome.status,
    passed: outcome.status === 'pass' ? true : outcome.status === 'fail' ? false : null,
    severity: criterion.severity,
    weight: criterion.weight,
    evidence: outcome.evidence,
    note: outcome.note,
  };
}

/**
 * Scores one conversation. Criteria are evaluated one after another, in scorecard order: judge calls stay
 * within provider rate limits and the findings come out in a stable order.
 */
export async function scoreTranscript(transcript: Transcript, scorecard: Scorecard, options: ScoreOptions = {}): Promise<QaResult> {
  const prepared = prepareTranscript(transcript);
  const findings: Finding[] = [];
  for (const criterion of scorecard.criteria) {
    findings.push(toFinding(criterion, await evaluate(criterion, prepared, options)));
  }

  const { score, passed, summary } = summarizeFindings(findings, scorecard.passScore);
  return { score, passed, findings, language: prepared.language, summary };
}

/**
 * Score, verdict and summary from findings. Shared by the scorer and by whatever changes a finding afterwards (an
 * accepted dispute), so a recomputed score always follows the same rule.
 */
export function summarizeFindings(
  findings: readonly Pick<Finding, 'criterion' | 'passed' | 'severity' | 'weight' | 'status'>[],
  passScore: number,
): Pick<QaResult, 'score' | 'passed' | 'summary'> {
  const scored = findings.filter((f) => f.passed !== null);
  const totalWeight = scored.reduce((sum, f) => sum + f.weight, 0);
  const passedWeight = scored.filter((f) => f.passed).reduce((sum, f) => sum + f.weight, 0);
  // Nothing to score (every criterion not applicable or unjudged) is not a failure of the conversation.
  const score = totalWeight === 0 ? 100 : Math.round((passedWeight / totalWeight) * 1000) / 10;
  const criticalFailures = findings.filter((f) => f.passed === false && f.severity === 'critical').map((f) => f.criterion);

  return {
    score,
    passed: criticalFailures.length === 0 && score >= passScore,
    summary: {
      scored: scored.length,
      passedCriteria: scored.filter((f) => f.passed).length,
      failedCriteria: scored.filter((f) => !f.passed).length,
      notApplicable: findings.filter((f) => f.status === 'not_applicable').length,
      unjudged: findings.filter((f) => f.status === 'unjudged').length,
      criticalFailures,
      passScore,
    },
  };
}
