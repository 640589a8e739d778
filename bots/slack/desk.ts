import type { webApi } from '@slack/bolt';

import type { AgentDesk, CardRef, HandoffCard, LeadCard, QueueAlert, Suggestion, ThreadPost } from '../agent-desk.js';
import type { QueueDef } from '../handoff/settings.js';
import { cardBlocks, cardFallback, queueAlertText, suggestionBlocks, supervisorBlocks, threadText } from './blocks.js';
import { leadBlocks, leadFallback } from './lead-blocks.js';

type WebClient = webApi.WebClient;

export interface SlackDeskOptions {
  client: WebClient;
  queues: QueueDef[];
  supervisorChannel: string;
}

/**
 * The agent desk in Slack: one card per handoff in its queue's channel, the conversation in the card's thread,
 * suggestions as thread replies with a "Send this reply" button, alerts as @here replies and supervisor posts.
 */
export function createSlackDesk(opts: SlackDeskOptions): AgentDesk {
  const { client } = opts;
  const channelOf = (queue: string) => opts.queues.find((q) => q.name === queue)?.slackChannel ?? (opts.queues[0] as QueueDef).slackChannel;
  const reply = (ref: CardRef, text: string, extra: Record<string, unknown> = {}) =>
    client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text, unfurl_links: false, unfurl_media: false, ...extra });

  return {
    kind: 'slack',

    async postHandoffCard(card: HandoffCard): Promise<CardRef> {
      const res = await client.chat.postMessage({ channel: channelOf(card.queue), text: cardFallback(card), blocks: cardBlocks(card) });
      if (!res.ts || !res.channel) throw new Error('chat.postMessage returned no channel/ts');
      // The response names the channel by id, which chat.update and thread events use.
      return { desk: 'slack', channel: res.channel, ts: res.ts };
    },

    async updateCard(ref: CardRef, card: HandoffCard): Promise<void> {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text: cardFallback(card), blocks: cardBlocks(card) });
    },

    async postToThread(ref: CardRef, post: ThreadPost): Promise<void> {
      await reply(ref, threadText(post));
    },

    async postSuggestion(ref: CardRef, s: Suggestion): Promise<void> {
      await reply(ref, `Suggested reply: ${s.text}`, { blocks: suggestionBlocks(s) });
    },

    async alertQueue(ref: CardRef, alert: QueueAlert): Promise<void> {
      // Broadcast to the channel too, so the nudge is seen by people not following the thread.
      await reply(ref, queueAlertText(alert.waitedMs), { reply_broadcast: true });
    },

    async notifySupervisor(ref: CardRef, card: HandoffCard, waitedMs: number): Promise<void> {
      const blocks = supervisorBlocks(card, waitedMs, ref.channel);
      await client.chat.postMessage({ channel: opts.supervisorChannel.replace(/^#/, ''), text: `Handoff unclaimed for ${Math.round(waitedMs / 60_000)} min`, blocks });
    },

    async postLead(lead: LeadCard): Promise<CardRef> {
      const res = await client.chat.postMessage({ channel: channelOf(lead.queue), text: leadFallback(lead), blocks: leadBlocks(lead) });
      if (!res.ts || !res.channel) throw new Error('chat.postMessage returned no channel/ts');
      return { desk: 'slack', channel: res.channel, ts: res.ts };
    },
  };
}
