import type { types } from '@slack/bolt';

import type { LeadCard } from '../agent-desk.js';
import { clip, escapeMrkdwn } from './text.js';

type KnownBlock = types.KnownBlock;

const LANGUAGE = { zh: '中文', en: 'English' } as const;

/** A lead in the queue's channel: who to call back and what they asked, with no buttons (it is not a chat). */
export function leadBlocks(lead: LeadCard): KnownBlock[] {
  const fields = [
    `*Customer*\n${escapeMrkdwn(lead.customer.name ?? lead.customer.id)}`,
    `*Channel*\n${lead.channel}`,
    `*Language*\n${LANGUAGE[lead.language]}`,
    `*Intent*\n${escapeMrkdwn(lead.intent ?? '—')}`,
  ];
  return [
    { type: 'header', text: { type: 'plain_text', text: clip(`📞 ${lead.title} · please call back · ${lead.queue}`, 150), emoji: true } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`> ${escapeMrkdwn(lead.text.replace(/\s+/g, ' '))}`, 2900) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Lead ${lead.leadId} · conversation ${escapeMrkdwn(lead.conversationKey)}` }] },
  ];
}

export const leadFallback = (lead: LeadCard) => `📞 ${lead.title}: ${clip(lead.text, 200)}`;
