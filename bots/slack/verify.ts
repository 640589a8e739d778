import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to sign with a clock further off than this; so do we, both ways, against replays. */
export const MAX_SKEW_SECONDS = 5 * 60;

export type SignatureProblem = 'missing' | 'stale' | 'mismatch';

/**
 * Slack's v0 request signature over the exact bytes received: HMAC-SHA256 of `v0:<timestamp>:<body>` with the
 * signing secret. Returns what is wrong, or undefined for a genuine, fresh request.
 */
export function checkSlackSignature(opts: {
  signingSecret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs?: number;
}): SignatureProblem | undefined {
  const { timestamp, signature } = opts;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp) || !signature.startsWith('v0=')) return 'missing';
  const now = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_SECONDS) return 'stale';
  const expected = createHmac('sha256', opts.signingSecret)
    .update(`v0:${timestamp}:`)
    .update(opts.rawBody)
    .digest('hex');
  const given = Buffer.from(signature.slice(3), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? undefined : 'mismatch';
}

/** The signature headers for a body, as Slack would send them (tests, local tools). */
export function signSlackBody(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}
