import type { webApi } from '@slack/bolt';

import type { AgentRef } from '../agent-desk.js';

type WebClient = webApi.WebClient;

const TTL_MS = 10 * 60_000;

/** Slack user id → the agent as customers and colleagues see them (display name), cached for a while. */
export function createAgentDirectory(client: WebClient) {
  const cache = new Map<string, { agent: AgentRef; at: number }>();
  return {
    async lookup(userId: string, fallbackName?: string): Promise<AgentRef> {
      const hit = cache.get(userId);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.agent;
      try {
        const res = await client.users.info({ user: userId });
        const u = res.user;
        const name = u?.profile?.display_name || u?.real_name || u?.profile?.real_name || u?.name || fallbackName || userId;
        const agent = { id: userId, name };
        cache.set(userId, { agent, at: Date.now() });
        return agent;
      } catch {
        // A name is a courtesy: without users:read the handoff still works with the id.
        return { id: userId, name: fallbackName ?? userId };
      }
    },
    cachedName: (userId: string) => cache.get(userId)?.agent.name,
  };
}

export type AgentDirectory = ReturnType<typeof createAgentDirectory>;
