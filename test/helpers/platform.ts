import { randomUUID } from 'node:crypto';
import type { Duration } from '@temporalio/common';
import { inject } from 'vitest';
import type { ChannelSenders } from '../../bots/channel.js';
import type { ChannelOverrides } from '../../bots/channels.js';
import { loadConfig, type Config } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import type { Answerer } from '../../knowledge/answerer.js';
import { startPlatform, type Platform } from '../../cli/runtime/platform.js';
import { bundleWorkflows } from '../../cli/runtime/worker.js';

let bundle: ReturnType<typeof bundleWorkflows> | undefined;

export interface TestPlatform extends Platform {
  config: Config;
  url: string;
}

/**
 * A whole platform on the shared real Temporal server, with its own task queue and its own database: PostgreSQL in a
 * fresh schema when DATABASE_URL is set (CI), in-memory PGlite otherwise.
 */
export async function startTestPlatform(opts: { env?: Record<string, string>; answerer?: Answerer; senders?: ChannelSenders; channels?: ChannelOverrides; shutdownGraceTime?: Duration } = {}): Promise<TestPlatform> {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    DATABASE_SCHEMA: `t_${id}`,
    KEFU_DATA_DIR: 'memory://',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${id}`,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_FORMAT: 'json',
    // Schedules are namespace-wide and outlive a test; tests that need them turn this on.
    KEFU_SCHEDULES: 'false',
    ...opts.env,
  });
  bundle ??= bundleWorkflows();
  const platform = await startPlatform(config, createLogger(config), {
    answerer: opts.answerer,
    senders: opts.senders,
    channels: opts.channels,
    workflowBundle: await bundle,
    shutdownGraceTime: opts.shutdownGraceTime,
  });
  return Object.assign(platform, { config, url: platform.gatewayUrl as string });
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs` with the last state. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function postMessage(url: string, conversationId: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${url}/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface PublicMessage {
  id: string;
  role: string;
  text: string;
  createdAt: string;
  citations?: unknown[];
}

export async function getMessages(url: string, conversationId: string): Promise<PublicMessage[]> {
  const res = await fetch(`${url}/v1/conversations/${encodeURIComponent(conversationId)}/messages`);
  return ((await res.json()) as { messages: PublicMessage[] }).messages;
}

/** Waits until the conversation holds `count` bot replies and returns all its messages. */
export function waitForReplies(url: string, conversationId: string, count: number, timeoutMs = 20_000) {
  return eventually(async () => {
    const messages = await getMessages(url, conversationId);
    return messages.filter((m) => m.role === 'bot').length >= count ? messages : undefined;
  }, timeoutMs, `${count} bot replies in ${conversationId}`);
}
