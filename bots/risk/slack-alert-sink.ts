import { webApi } from '@slack/bolt';
import { alertBlocks, alertText, reminderText } from './alert-blocks.js';
import { PermanentAlertError, type AlertRef, type RiskAlertSink } from './alert-sink.js';

// Slack answers that no retry fixes: the alert is recorded as failed (the database inbox still has it).
const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'not_authed', 'account_inactive', 'token_revoked',
  'token_expired', 'missing_scope', 'invalid_blocks', 'msg_too_long', 'no_permission', 'restricted_action', 'message_not_found',
]);

export interface SlackAlertSinkOptions {
  token: string;
  /** Channel id or name of the risk channel (SLACK_RISK_CHANNEL). */
  channel: string;
  /** Web API base URL override (SLACK_API_URL), e.g. a fake Slack in tests. */
  apiUrl?: string;
}

/**
 * Risk alerts in a Slack channel: a message with the excerpt, evidence and buttons, edited in place as the escalation
 * changes; re-alerts are thread replies broadcast to the channel that mention the ladder's role.
 */
export function createSlackAlertSink(opts: SlackAlertSinkOptions): RiskAlertSink {
  // Retries belong to the Temporal activity (with back-off and a record of each attempt), not to the client.
  const client = new webApi.WebClient(opts.token, {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });

  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string; data?: { error?: string } }).code;
      const slackError = (err as { data?: { error?: string } }).data?.error;
      if (code === webApi.ErrorCode.PlatformError && slackError && PERMANENT.has(slackError)) {
        throw new PermanentAlertError(`Slack refused the risk alert: ${slackError}`);
      }
      throw err;
    }
  };

  return {
    name: 'slack',
    async post(alert) {
      const res = await call(() => client.chat.postMessage({ channel: opts.channel, text: alertText(alert), blocks: alertBlocks(alert), unfurl_links: false }));
      if (!res.ts || !res.channel) throw new Error('Slack accepted the alert but returned no message reference');
      return { channel: res.channel, ts: res.ts };
    },
    async update(ref: AlertRef, alert) {
      if (!ref.channel || !ref.ts) return;
      const channel = ref.channel;
      const ts = ref.ts;
      await call(() => client.chat.update({ channel, ts, text: alertText(alert), blocks: alertBlocks(alert) }));
    },
    async remind(ref, alert, reminder) {
      const text = reminderText(alert, reminder);
      if (ref?.channel && ref.ts) {
        const channel = ref.channel;
        const threadTs = ref.ts;
        await call(() => client.chat.postMessage({ channel, thread_ts: threadTs, reply_broadcast: true, text }));
      } else {
        await call(() => client.chat.postMessage({ channel: opts.channel, text, blocks: alertBlocks(alert) }));
      }
    },
  };
}
