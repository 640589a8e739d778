import { ApplicationFailure } from '@temporalio/activity';
import type { Period } from '../../core/store/qa.js';
import type { QaDeps } from './deps.js';
import { alertKey, postToQaChannel } from './post.js';
import { buildQaReport, type QaReport } from './report.js';
import { renderQaReportText } from './report-text.js';
import { buildAlertPost, QaInputError, scoreClose, type ScoreCloseInput, type ScoreCloseOutcome } from './scoring.js';

export interface RecordCloseInput {
  conversationKey: string;
  /** Run id of the conversation workflow run that closed (a run closes at most once): one close, whatever retries. */
  runId: string;
  reason: string;
}

export interface RecordedClose {
  closeSeq: number;
  closedAt: string;
}

/** QA activities over their dependencies (scorecard, judge, QA channel), built once per worker. */
export function createQaActivities(deps: QaDeps) {
  const { store } = deps;
  return {
    async recordConversationClose(input: RecordCloseInput): Promise<RecordedClose> {
      const close = await store.recordQaClose(input);
      return { closeSeq: close.closeSeq, closedAt: close.closedAt };
    },

    async scoreConversationClose(input: ScoreCloseInput): Promise<ScoreCloseOutcome> {
      try {
        return await scoreClose(deps, input);
      } catch (err) {
        // Missing close or conversation will not appear by retrying.
        if (err instanceof QaInputError) throw ApplicationFailure.nonRetryable(err.message, 'QaInputError');
        throw err;
      }
    },

    /** Posts the alert of a low-scoring result once, whatever retries or restarts. */
    async sendQaAlert(input: { resultId: string }): Promise<{ alreadySent: boolean }> {
      const result = await store.getQaResult(input.resultId);
      if (!result) throw ApplicationFailure.nonRetryable(`no QA result ${input.resultId}`, 'QaInputError');
      const post = buildAlertPost(deps, result, await store.listQaFindings(result.id));
      const { alreadySent } = await postToQaChannel({ store, sink: deps.sink }, { key: alertKey(result.id), post, resultId: result.id });
      return { alreadySent };
    },

    async buildQaReport(input: Period): Promise<QaReport> {
      return buildQaReport(store, input);
    },

    async postQaReport(input: { report: QaReport }): Promise<{ alreadySent: boolean }> {
      const { report } = input;
      const { alreadySent } = await postToQaChannel(
        { store, sink: deps.sink },
        { key: `report:${report.period.since}:${report.period.until}`, post: { kind: 'report', report, text: renderQaReportText(report) } },
      );
      return { alreadySent };
    },
  };
}

export type QaActivities = ReturnType<typeof createQaActivities>;
export type { QaDeps } from './deps.js';
