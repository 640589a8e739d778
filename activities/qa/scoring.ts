import { scoreTranscript } from '../../analysis/qa/score.js';
import { metrics } from '../../core/metrics.js';
import type { NewQaResult, QaFindingRecord, QaResultRecord } from '../../core/store/index.js';
import type { QaAgent, QaAlertPost, QaAlertReason, QaFailedFinding } from './alert-sink.js';
import { qaResultLink, type QaDeps } from './deps.js';
import { buildQaTranscript, findingActors } from './transcript.js';

export interface ScoreCloseInput {
  conversationKey: string;
  closeSeq: number;
  /** The QA workflow's id, kept with the result. */
  workflowId: string;
}

export type ScoreCloseOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'scored'; created: boolean; resultId: string; score: number; passed: boolean; alertReasons: QaAlertReason[] };

export class QaInputError extends Error {
  override readonly name = 'QaInputError';
}

/** Why a result goes to the QA channel: a failed critical criterion, or a score under the alert threshold. */
export function alertReasons(result: Pick<QaResultRecord, 'score' | 'criticalFailures'>, alertBelow: number): QaAlertReason[] {
  const reasons: QaAlertReason[] = [];
  if (result.criticalFailures.length > 0) reasons.push('critical_failure');
  if (result.score < alertBelow) reasons.push('low_score');
  return reasons;
}

/**
 * Scores one close: loads its messages, runs the scorecard (rules always, the judge when configured) and stores the
 * result with findings mapped to message ids and to the bot/agents they are about. Idempotent per close: an
 * existing result is returned as is, without scoring again (a judge call costs money and may answer differently).
 */
export async function scoreClose(deps: QaDeps, input: ScoreCloseInput): Promise<ScoreCloseOutcome> {
  const { store, scorecard } = deps;
  const existing = await store.getQaResultByClose(input.conversationKey, input.closeSeq);
  if (existing) return scoredOutcome(existing, false, deps.alertBelow);

  const close = await store.getQaClose(input.conversationKey, input.closeSeq);
  if (!close) throw new QaInputError(`no close #${input.closeSeq} recorded for ${input.conversationKey}`);
  const conversation = await store.getConversation(input.conversationKey);
  if (!conversation) throw new QaInputError(`unknown conversation ${input.conversationKey}`);
  const qt = buildQaTranscript(conversation.channel, conversation.language, await store.listQaCloseMessages(close));
  if (qt.transcript.messages.length === 0) {
    const reason = 'no customer, bot or agent messages';
    await store.markQaCloseSkipped(close.conversationKey, close.closeSeq, reason);
    return { status: 'skipped', reason };
  }

  const scored = await scoreTranscript(qt.transcript, scorecard, { judge: deps.judge, knowledge: qt.knowledge });
  const criteria = new Map(scorecard.criteria.map((c) => [c.id, c]));
  const result: NewQaResult = {
    conversationKey: close.conversationKey,
    closeSeq: close.closeSeq,
    workflowId: input.workflowId,
    channel: conversation.channel,
    language: scored.language,
    scorecardName: scorecard.name,
    scorecardVersion: deps.scorecardVersion,
    passScore: scorecard.passScore,
    score: scored.score,
    passed: scored.passed,
    judged: deps.judge !== undefined,
    unjudgedCount: scored.summary.unjudged,
    criticalFailures: scored.summary.criticalFailures,
    messageCount: qt.transcript.messages.length,
    actors: qt.actors,
    agentNames: qt.agentNames,
    closedAt: close.closedAt,
    findings: scored.findings.map((f) => {
      const criterion = criteria.get(f.criterion);
      return {
        criterion: f.criterion,
        name: f.name,
        kind: f.kind,
        status: f.status,
        passed: f.passed,
        severity: f.severity,
        weight: f.weight,
        evidenceIndexes: f.evidence,
        evidenceMessageIds: f.evidence.map((i) => qt.messageIds[i]).filter((id): id is string => id !== undefined),
        actors: criterion ? findingActors(f, criterion, qt) : [],
        note: f.note,
      };
    }),
  };
  const saved = await store.saveQaResult(result);
  if (saved.created) {
    metrics.qaScore.observe({ channel: saved.result.channel }, saved.result.score);
    for (const f of result.findings) if (f.status === 'fail') metrics.qaFindings.inc({ severity: f.severity });
  }
  return scoredOutcome(saved.result, saved.created, deps.alertBelow);
}

function scoredOutcome(r: QaResultRecord, created: boolean, alertBelow: number): ScoreCloseOutcome {
  return { status: 'scored', created, resultId: r.id, score: r.score, passed: r.passed, alertReasons: alertReasons(r, alertBelow) };
}

export const toFailedFinding = (f: QaFindingRecord): QaFailedFinding => ({
  findingId: f.id,
  criterion: f.criterion,
  name: f.name,
  severity: f.severity,
  note: f.note,
  evidence: f.evidenceIndexes,
});

const SEVERITY_ORDER = { critical: 0, major: 1, minor: 2 } as const;

export function agentsOf(result: Pick<QaResultRecord, 'actors' | 'agentNames'>): QaAgent[] {
  return result.actors
    .filter((a) => a.startsWith('agent:'))
    .map((a) => a.slice('agent:'.length))
    .map((id) => ({ id, name: result.agentNames[id] ?? null }));
}

/** The alert for a stored result, failed findings worst first. */
export function buildAlertPost(deps: Pick<QaDeps, 'alertBelow' | 'publicUrl'>, result: QaResultRecord, findings: QaFindingRecord[]): QaAlertPost {
  const failed = findings
    .filter((f) => f.status === 'fail')
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.position - b.position)
    .map(toFailedFinding);
  return {
    kind: 'alert',
    resultId: result.id,
    conversationKey: result.conversationKey,
    channel: result.channel,
    language: result.language,
    score: result.score,
    passScore: result.passScore,
    alertBelow: deps.alertBelow,
    reasons: alertReasons(result, deps.alertBelow),
    criticalFailures: result.criticalFailures,
    failed,
    agents: agentsOf(result),
    closedAt: result.closedAt,
    link: qaResultLink(deps.publicUrl, result.id),
  };
}
