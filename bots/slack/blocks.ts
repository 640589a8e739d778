import type { types } from '@slack/bolt';

import { DESK_ACTIONS, type AgentRef, type HandoffCard, type Suggestion, type ThreadPost } from '../agent-desk.js';
import { clip, escapeMrkdwn } from './text.js';

type ActionsBlock = types.ActionsBlock;
type Button = types.Button;
type KnownBlock = types.KnownBlock;

/** Block Kit for the handoff card, suggestions, thread notes and the transfer picker. Pure functions of their input. */

const LANGUAGE = { zh: '中文', en: 'English' } as const;
const ROLE = { customer: '👤', bot: '🤖', agent: '🎧', system: 'ℹ️' } as const;
const mention = (a: AgentRef) => `<@${a.id}>`;
const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));
/** Slack renders `<!date^…>` in each reader's own time zone. */
const slackDate = (iso: string) => `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso}>`;

function title(card: HandoffCard): string {
  const who = card.customer.name ?? card.customer.id;
  switch (card.status) {
    case 'waiting':
      return `🙋 ${who} is waiting for an agent · ${card.queue}`;
    case 'claimed':
      return `🎧 ${who} · with ${card.agent?.name ?? 'an agent'} · ${card.queue}`;
    case 'transferred':
      return `↪️ ${who} · transferred`;
    case 'resolved':
      return `✅ ${who} · resolved`;
    case 'closed':
      return `⏹️ ${who} · closed`;
  }
}

function statusLine(card: HandoffCard): string {
  const parts = [`Waiting since ${slackDate(card.waitingSince)}`];
  if (card.status === 'claimed' && card.agent) parts.push(`claimed by ${mention(card.agent)}`);
  if (card.note) parts.push(escapeMrkdwn(card.note));
  return parts.join(' · ');
}

export function cardActions(handoffId: string, status: HandoffCard['status']): ActionsBlock | undefined {
  if (status !== 'waiting' && status !== 'claimed') return undefined;
  const buttons: Button[] = [];
  if (status === 'waiting') {
    buttons.push({ type: 'button', action_id: DESK_ACTIONS.claim, text: { type: 'plain_text', text: 'Claim' }, style: 'primary', value: handoffId });
  }
  buttons.push({ type: 'button', action_id: DESK_ACTIONS.transfer, text: { type: 'plain_text', text: 'Transfer' }, value: handoffId });
  buttons.push({
    type: 'button',
    action_id: DESK_ACTIONS.resolve,
    text: { type: 'plain_text', text: 'Resolve' },
    style: 'danger',
    value: handoffId,
    confirm: {
      title: { type: 'plain_text', text: 'Resolve this conversation?' },
      text: { type: 'mrkdwn', text: 'The customer is told the conversation is resolved, and it closes.' },
      confirm: { type: 'plain_text', text: 'Resolve' },
      deny: { type: 'plain_text', text: 'Cancel' },
    },
  });
  return { type: 'actions', block_id: `handoff:${handoffId}`, elements: buttons };
}

export function cardBlocks(card: HandoffCard): KnownBlock[] {
  const fields = [
    `*Customer*\n${escapeMrkdwn(card.customer.name ?? card.customer.id)}`,
    `*Channel*\n${card.channel}`,
    `*Language*\n${LANGUAGE[card.language]}`,
    `*Intent*\n${escapeMrkdwn(card.intent ?? '—')}`,
    `*Reason*\n${escapeMrkdwn(clip(card.reason, 200))}`,
    `*Priority*\n${card.priority > 0 ? `P${card.priority} ⬆️` : 'normal'}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title(card), 150), emoji: true } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (card.summary) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Summary*\n${escapeMrkdwn(card.summary)}`, 2900) } });
  if (card.lastMessages.length > 0) {
    const lines = card.lastMessages.map((m) => `${ROLE[m.role]} ${escapeMrkdwn(clip(m.text.replace(/\s+/g, ' '), 300))}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Last messages*\n${lines.map((l) => `> ${l}`).join('\n')}`, 2900) } });
  }
  if (card.riskFlags.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `⚠️ *Risk:* ${card.riskFlags.map(escapeMrkdwn).join(', ')}` }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: statusLine(card) }] });
  const actions = cardActions(card.handoffId, card.status);
  if (actions) blocks.push(actions);
  return blocks;
}

/** The notification text (push, screen readers) that goes with the card's blocks. */
export const cardFallback = (card: HandoffCard) => `${title(card)}: ${clip(card.summary || card.reason, 200)}`;

export function threadText(post: ThreadPost): string {
  const who = post.mention ? `${mention(post.mention)} ` : '';
  switch (post.kind) {
    case 'customer':
      return `👤 *${escapeMrkdwn(post.author ?? 'Customer')}:* ${escapeMrkdwn(post.text)}`;
    case 'reminder':
      return `⏰ ${who}${escapeMrkdwn(post.text)}`;
    case 'agent_sent':
      return `↪️ Sent to the customer by *${escapeMrkdwn(post.author ?? 'agent')}*: ${escapeMrkdwn(post.text)}`;
    case 'system':
      return `ℹ️ ${who}${escapeMrkdwn(post.text)}`;
  }
}

export function suggestionBlocks(s: Suggestion): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'context', elements: [{ type: 'mrkdwn', text: `💡 *Suggested reply* (agents only) to “${escapeMrkdwn(clip(s.forMessage, 120))}”` }] },
    { type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(s.text), 2900) } },
  ];
  if (s.citations.length > 0) {
    const sources = s.citations.map((c) => `[${c.index}] ${escapeMrkdwn(c.title)}${c.section ? ` › ${escapeMrkdwn(c.section)}` : ''}`).join('   ');
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`📚 ${sources}`, 2900) }] });
  }
  blocks.push({
    type: 'actions',
    block_id: `suggestion:${s.handoffId}:${s.suggestionId}`,
    elements: [{
      type: 'button',
      action_id: DESK_ACTIONS.sendSuggestion,
      text: { type: 'plain_text', text: 'Send this reply' },
      style: 'primary',
      value: `${s.handoffId}|${s.suggestionId}`,
    }],
  });
  return blocks;
}

export function queueAlertText(waitedMs: number): string {
  return `<!here> Still unclaimed after ${minutes(waitedMs)} min — can someone take this customer?`;
}

export function supervisorBlocks(card: HandoffCard, waitedMs: number, cardChannel: string): KnownBlock[] {
  const text = `🚨 *Unclaimed for ${minutes(waitedMs)} min* in <#${cardChannel}> (${escapeMrkdwn(card.queue)}): ` +
    `${escapeMrkdwn(card.customer.name ?? card.customer.id)} — ${escapeMrkdwn(clip(card.summary || card.reason, 400))}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  const actions = cardActions(card.handoffId, 'waiting');
  if (actions) blocks.push({ ...actions, block_id: `supervisor:${card.handoffId}` });
  return blocks;
}

/** The ephemeral picker the Transfer button opens: another queue, or a named colleague. */
export function transferBlocks(handoffId: string, queues: string[], currentQueue?: string): KnownBlock[] {
  const options = queues
    .filter((q) => q !== currentQueue)
    .map((q) => ({ text: { type: 'plain_text' as const, text: q }, value: `${handoffId}|${q}` }));
  const elements: ActionsBlock['elements'] = [];
  if (options.length > 0) {
    elements.push({ type: 'static_select', action_id: DESK_ACTIONS.transferQueue, placeholder: { type: 'plain_text', text: 'Another queue' }, options });
  }
  elements.push({ type: 'users_select', action_id: DESK_ACTIONS.transferAgent, placeholder: { type: 'plain_text', text: 'A colleague' } });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: '*Transfer this conversation* to another queue or to a colleague:' } },
    { type: 'actions', block_id: `transfer:${handoffId}`, elements },
  ];
}
