import type { QaAlertSink, QaPostRef } from './alert-sink.js';

/**
 * The QA channel without Slack: every post is already a row of `qa_alerts` (written by `postToQaChannel` before any
 * sink runs), which the local inbox and console read through `GET /v1/qa/alerts`. Posting therefore only confirms.
 */
export function createLocalQaSink(): QaAlertSink {
  return {
    kind: 'local',
    async post(): Promise<QaPostRef> {
      return { sink: 'local' };
    },
  };
}
