import type { types } from '@slack/bolt';

import type { QueueOverview } from '../handoff/commands.js';
import { escapeMrkdwn } from './text.js';

type KnownBlock = types.KnownBlock;

const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} min`;

/** `/kefu`: every queue's load and the caller's own open conversations. */
export function overviewBlocks(o: QueueOverview): KnownBlock[] {
  const queueLines = o.queues.map((q) => {
    const oldest = q.oldestWaitMs === null ? '' : `, longest wait ${minutes(q.oldestWaitMs)}`;
    const later = q.afterHours > 0 ? `, ${q.afterHours} for opening time` : '';
    return `• *${escapeMrkdwn(q.name)}*: ${q.waiting} waiting${oldest}, ${q.claimed} with agents${later}`;
  });
  const mine = o.mine.length === 0
    ? '_You have no open conversations._'
    : o.mine.map((h) => `• ${h.cardChannel && h.cardTs ? `<#${h.cardChannel}> ` : ''}${escapeMrkdwn(h.reason)} — ${escapeMrkdwn(h.conversationKey)} (since ${minutes(Date.now() - Date.parse(h.claimedAt ?? h.createdAt))})`).join('\n');
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `*Queues*\n${queueLines.join('\n')}` } },
    { type: 'section', text: { type: 'mrkdwn', text: `*Your conversations*\n${mine}` } },
  ];
}
