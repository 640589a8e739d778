import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';
import { checkSlackSignature } from './verify.js';

export interface SlackHttpResult {
  status: number;
  body: string;
  contentType?: string;
}

type Body = Record<string, unknown>;

function parseBody(raw: string, contentType: string | undefined): Body {
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = parseQuery(raw);
    // Interactivity posts one form field, `payload`, holding JSON; slash commands are plain form fields.
    if (typeof form.payload === 'string') return JSON.parse(form.payload) as Body;
    return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  }
  return JSON.parse(raw) as Body;
}

/**
 * A Bolt receiver driven by the gateway's own HTTP server (Fastify), for Events API, interactivity and slash
 * commands on one URL. It checks the signature over the raw bytes, answers Slack as soon as the listener acks
 * (Slack wants a reply within 3 s), and lets the listener finish in the background; `drain()` waits for that.
 */
export class GatewayReceiver implements Receiver {
  private app?: App;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly opts: { signingSecret: string; logger: Logger; ackTimeoutMs?: number }) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.drain();
  }

  /** Resolves once every request accepted so far has been fully processed. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async handle(req: { rawBody: Buffer; headers: Record<string, string | string[] | undefined> }): Promise<SlackHttpResult> {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const problem = checkSlackSignature({
      signingSecret: this.opts.signingSecret,
      rawBody: req.rawBody,
      timestamp: header('x-slack-request-timestamp'),
      signature: header('x-slack-signature'),
    });
    if (problem) {
      this.opts.logger.warn({ problem }, 'slack request refused: bad or stale signature');
      return { status: 401, body: '' };
    }
    let body: Body;
    try {
      body = parseBody(req.rawBody.toString('utf8'), header('content-type'));
    } catch {
      return { status: 400, body: '' };
    }
    if (body.ssl_check) return { status: 200, body: '' };
    if (body.type === 'url_verification') {
      return { status: 200, body: JSON.stringify({ challenge: body.challenge }), contentType: 'application/json' };
    }
    if (!this.app) return { status: 503, body: '' };

    let acked: (response: SlackHttpResult) => void = () => undefined;
    const ackedPromise = new Promise<SlackHttpResult>((resolve) => (acked = resolve));
    let isAcked = false;
    const retryNum = header('x-slack-retry-num');
    const event: ReceiverEvent = {
      body,
      retryNum: retryNum === undefined ? undefined : Number(retryNum),
      retryReason: header('x-slack-retry-reason'),
      ack: async (response?: unknown) => {
        if (isAcked) return;
        isAcked = true;
        if (response === undefined || response === null || response === '') acked({ status: 200, body: '' });
        else if (typeof response === 'string') acked({ status: 200, body: response, contentType: 'text/plain; charset=utf-8' });
        else acked({ status: 200, body: JSON.stringify(response), contentType: 'application/json' });
      },
    };
    const processing = this.app.processEvent(event).catch((err: unknown) => {
      this.opts.logger.error({ err }, 'slack listener failed');
      if (!isAcked) acked({ status: 500, body: '' });
    });
    this.inFlight.add(processing);
    void processing.finally(() => this.inFlight.delete(processing));
    const done = processing.then((): SlackHttpResult => (isAcked ? { status: 200, body: '' } : { status: 404, body: '' }));
    const timeout = new Promise<SlackHttpResult>((resolve) => {
      const t = setTimeout(() => resolve({ status: 200, body: '' }), this.opts.ackTimeoutMs ?? 2500);
      t.unref();
    });
    return Promise.race([ackedPromise, done, timeout]);
  }
}
