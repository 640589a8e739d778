import { WebClient } from '@slack/web-api';
import type { InsightsDigest } from './digest.js';

/** Posts a stored digest somewhere people read it; returns where. */
export type DigestPoster = (digest: InsightsDigest, summary: string) => Promise<{ postedTo: string }>;

/** Slack through the Web API (`chat.postMessage`); `apiUrl` overrides the endpoint (tests, proxies). */
export function createSlackDigestPoster(opts: { token: string; channel: string; apiUrl?: string }): DigestPoster {
  const client = new WebClient(opts.token, { ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/` } : {}), retryConfig: { retries: 0 } });
  return async (_digest, summary) => {
    // The activity retries; the client's own retries would multiply them.
    await client.chat.postMessage({ channel: opts.channel, text: summary, mrkdwn: true, unfurl_links: false });
    return { postedTo: `slack:${opts.channel}` };
  };
}
