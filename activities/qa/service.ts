import { summarizeFindings } from '../../analysis/qa/score.js';
import type { Logger } from '../../core/logger.js';
import * as qa from '../../core/store/qa.js';
import type { Store } from '../../core/store/index.js';
import type { QaAgent, QaAlertSink } from './alert-sink.js';
import { qaResultLink } from './deps.js';
import { alertKey, postToQaChannel } from './post.js';
import { toFailedFinding } from './scoring.js';

/**
 * Disputes: an agent contests a failed finding, a QA lead accepts (the finding is overturned and the score
 * recomputed) or rejects it. Every change is written to the audit log in the same transaction as the change.
 * Called by the gateway's JSON endpoints and by the Slack buttons (`slack-actions.ts`).
 */

export type QaServiceErrorCode = 'not_found' | 'conflict' | 'forbidden' | 'invalid';

export class QaServiceError extends Error {
  override readonly name = 'QaServiceError';
  constructor(readonly code: QaServiceErrorCode, message: string) {
    super(message);
  }
}

export interface QaServiceDeps {
  store: Store;
  sink: QaAlertSink;
  publicUrl: string;
  /** Agent ids allowed to decide disputes; empty = anyone but the disputing agent. */
  leads: string[];
  logger?: Pick<Logger, 'warn'>;
}

export interface DisputeInput {
  findingId: string;
  agent: QaAgent | { id: string; name?: string | null };
  reason: string;
}

export interface DecisionInput {
  disputeId: string;
  lead: QaAgent | { id: string; name?: string | null };
  accept: boolean;
  note?: string | null;
  /**
   * The caller checked the decider's console role (bots/console/permissions.ts: supervisor). QA_LEADS is the list
   * for Slack, whose users have no console role; a console supervisor needs no entry in it.
   */
  roleChecked?: boolean;
}

const MAX_TEXT = 2000;

function cleanText(text: string | null | undefined, what: string, required: boolean): string | null {
  const t = (text ?? '').trim();
  if (required && t === '') throw new QaServiceError('invalid', `${what} must not be empty`);
  if (t.length > MAX_TEXT) throw new QaServiceError('invalid', `${what} is longer than ${MAX_TEXT} characters`);
  return t === '' ? null : t;
}

function cleanAgent(a: { id: string; name?: string | null }, what: string): QaAgent {
  const id = (a.id ?? '').trim();
  if (!id) throw new QaServiceError('invalid', `${what}.id must not be empty`);
  return { id, name: a.name?.trim() || null };
}

export function createQaService(deps: QaServiceDeps) {
  const { store } = deps;
  const db = store.db;

  /** Posts to the QA channel after the change is committed; a channel outage must not undo a dispute or decision. */
  async function announce(input: Parameters<typeof postToQaChannel>[1]): Promise<void> {
    try {
      await postToQaChannel({ store, sink: deps.sink }, input);
    } catch (err) {
      deps.logger?.warn({ err, key: input.key }, 'QA channel post failed; it stays in qa_alerts as failed');
    }
  }

  async function disputeFinding(input: DisputeInput): Promise<qa.QaDispute> {
    const agent = cleanAgent(input.agent, 'agent');
    const reason = cleanText(input.reason, 'reason', true) as string;
    const { dispute, finding, result } = await db.transaction(async (tx) => {
      const finding = await qa.getFinding(tx, input.findingId, { forUpdate: true });
      if (!finding) throw new QaServiceError('not_found', `no finding ${input.findingId}`);
      if (finding.status !== 'fail') throw new QaServiceError('conflict', `only failed findings can be disputed; this one is ${finding.status}`);
      const agents = finding.actors.filter((a) => a.startsWith('agent:'));
      // A finding about named agents is theirs to dispute; one about the bot alone, anyone on the team may.
      if (agents.length > 0 && !agents.includes(`agent:${agent.id}`)) {
        throw new QaServiceError('forbidden', `finding ${finding.id} is about ${agents.join(', ')}, not agent:${agent.id}`);
      }
      const dispute = await qa.insertDispute(tx, { findingId: finding.id, agentId: agent.id, agentName: agent.name, reason });
      if (!dispute) throw new QaServiceError('conflict', `finding ${finding.id} has been disputed already`);
      await qa.appendAudit(tx, {
        actor: `agent:${agent.id}`,
        action: 'qa.dispute.opened',
        subject: `qa_dispute:${dispute.id}`,
        after: { findingId: finding.id, criterion: finding.criterion, agentId: agent.id, reason, status: dispute.status },
      });
      const result = await qa.getResult(tx, finding.resultId);
      if (!result) throw new Error(`finding ${finding.id} has no result`);
      return { dispute, finding, result };
    });
    await announce({
      key: `dispute:${dispute.id}`,
      resultId: result.id,
      threadKey: alertKey(result.id),
      post: {
        kind: 'dispute',
        disputeId: dispute.id,
        resultId: result.id,
        conversationKey: result.conversationKey,
        finding: toFailedFinding(finding),
        agent,
        reason,
        link: qaResultLink(deps.publicUrl, result.id),
      },
    });
    return dispute;
  }

  async function decideDispute(input: DecisionInput): Promise<{ dispute: qa.QaDispute; result: qa.QaResultRecord; finding: qa.QaFindingRecord }> {
    const lead = cleanAgent(input.lead, 'lead');
    const note = cleanText(input.note, 'note', false);
    if (!input.roleChecked && deps.leads.length > 0 && !deps.leads.includes(lead.id)) {
      throw new QaServiceError('forbidden', `${lead.id} is not a QA lead (QA_LEADS)`);
    }
    const outcome = await db.transaction(async (tx) => {
      const open = await qa.getDispute(tx, input.disputeId, { forUpdate: true });
      if (!open) throw new QaServiceError('not_found', `no dispute ${input.disputeId}`);
      if (open.status !== 'open') throw new QaServiceError('conflict', `dispute ${open.id} was ${open.status} already`);
      if (open.agentId === lead.id) throw new QaServiceError('forbidden', 'an agent cannot decide their own dispute');
      const status = input.accept ? 'accepted' : 'rejected';
      const dispute = await qa.decideDisputeRow(tx, open.id, { status, decidedBy: lead.id, note });
      if (!dispute) throw new QaServiceError('conflict', `dispute ${open.id} was decided meanwhile`);
      await qa.appendAudit(tx, {
        actor: `lead:${lead.id}`,
        action: `qa.dispute.${status}`,
        subject: `qa_dispute:${dispute.id}`,
        before: { status: open.status },
        after: { status, decidedBy: lead.id, note },
      });

      let finding = await qa.getFinding(tx, dispute.findingId, { forUpdate: true });
      if (!finding) throw new Error(`dispute ${dispute.id} has no finding`);
      const before = await qa.getResult(tx, finding.resultId);
      if (!before) throw new Error(`finding ${finding.id} has no result`);
      let result = before;
      if (input.accept) {
        const was = { status: finding.status, passed: finding.passed, overturned: finding.overturned };
        finding = await qa.overturnFinding(tx, finding.id);
        await qa.appendAudit(tx, {
          actor: `lead:${lead.id}`,
          action: 'qa.finding.overturned',
          subject: `qa_finding:${finding.id}`,
          before: was,
          after: { status: finding.status, passed: finding.passed, overturned: finding.overturned, disputeId: dispute.id },
        });
        const summary = summarizeFindings(await qa.listFindings(tx, before.id), before.passScore);
        result = await qa.setResultVerdict(tx, before.id, {
          score: summary.score,
          passed: summary.passed,
          criticalFailures: summary.summary.criticalFailures,
        });
        await qa.appendAudit(tx, {
          actor: `lead:${lead.id}`,
          action: 'qa.result.rescored',
          subject: `qa_result:${result.id}`,
          before: qa.auditedResult(before),
          after: qa.auditedResult(result),
        });
      }
      return { dispute, finding, result, previousScore: before.score };
    });
    await announce({
      key: `decision:${outcome.dispute.id}`,
      resultId: outcome.result.id,
      threadKey: alertKey(outcome.result.id),
      post: {
        kind: 'decision',
        disputeId: outcome.dispute.id,
        resultId: outcome.result.id,
        conversationKey: outcome.result.conversationKey,
        finding: toFailedFinding(outcome.finding),
        agent: { id: outcome.dispute.agentId, name: outcome.dispute.agentName },
        lead,
        accepted: input.accept,
        note,
        previousScore: outcome.previousScore,
        score: outcome.result.score,
        passed: outcome.result.passed,
        link: qaResultLink(deps.publicUrl, outcome.result.id),
      },
    });
    return { dispute: outcome.dispute, result: outcome.result, finding: outcome.finding };
  }

  /** A result with its findings, their disputes and the transcript they point into (for the alert's link). */
  async function resultDetail(resultId: string) {
    const result = await store.getQaResult(resultId);
    if (!result) throw new QaServiceError('not_found', `no QA result ${resultId}`);
    const findings = await store.listQaFindings(resultId);
    const disputes = (await Promise.all(findings.map((f) => qa.getDisputeForFinding(db, f.id)))).filter((d): d is qa.QaDispute => d !== null);
    const close = await store.getQaClose(result.conversationKey, result.closeSeq);
    const messages = close ? await store.listQaCloseMessages(close) : [];
    return {
      result,
      findings,
      disputes,
      transcript: messages.filter((m) => m.role !== 'system').map((m, index) => ({
        index,
        id: m.id,
        role: m.role,
        text: m.text,
        createdAt: m.createdAt,
        ...(m.agentId ? { agentId: m.agentId } : {}),
        ...(m.agentName ? { agentName: m.agentName } : {}),
      })),
    };
  }

  return { disputeFinding, decideDispute, resultDetail };
}

export type QaService = ReturnType<typeof createQaService>;
