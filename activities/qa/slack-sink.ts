import { WebClient } from '@slack/web-api';
import type { QaAlertSink, QaPost, QaPostRef } from './alert-sink.js';
import { renderSlackPost } from './slack-blocks.js';

export interface SlackQaSinkOptions {
  token: string;
  /** Channel name or id of the QA channel (SLACK_QA_CHANNEL). */
  channel: string;
  /** SLACK_API_URL: a proxy, or the fake Web API in tests. */
  apiUrl?: string;
  /** An existing client to share (the Slack app's), instead of one of our own. */
  client?: WebClient;
}

/** Posts QA alerts, disputes, decisions and reports to a Slack channel with `chat.postMessage`. */
export function createSlackQaSink(options: SlackQaSinkOptions): QaAlertSink {
  // Temporal retries the activity with back-off; the client's own half-hour retry policy would only hide failures.
  const client = options.client ?? new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
    timeout: 15_000,
  });
  return {
    kind: 'slack',
    async post(post: QaPost, thread?: QaPostRef): Promise<QaPostRef> {
      const { text, blocks } = renderSlackPost(post);
      const inThread = thread?.sink === 'slack' && thread.ts ? thread : undefined;
      const res = await client.chat.postMessage({
        channel: inThread?.channel ?? options.channel,
        text,
        blocks,
        ...(inThread ? { thread_ts: inThread.ts } : {}),
        unfurl_links: false,
      });
      return { sink: 'slack', channel: res.channel ?? inThread?.channel ?? options.channel, ts: res.ts };
    },
  };
}
