import type { types as SlackTypes } from '@slack/bolt';
import type { RiskAlert, RiskReminder } from './alert-sink.js';

/** Action ids of the risk alert's buttons; the button value is the escalation id. */
export const RISK_ACTIONS = {
  acknowledge: 'kefu_risk_acknowledge',
  takeOver: 'kefu_risk_take_over',
  falsePositive: 'kefu_risk_false_positive',
} as const;

const SEVERITY_ICON: Record<string, string> = { low: '🟡', medium: '🟠', high: '🔴', critical: '🚨' };
const STATUS_LINE: Record<string, string> = {
  open: 'Waiting for acknowledgement · 待确认',
  acknowledged: 'Acknowledged · 已确认',
  taken_over: 'Taken over · 已接管',
  false_positive: 'Closed as false positive · 误报已关闭',
  resolved: 'Resolved · 已结束',
};

/** Slack's limit for a section's text is 3000 characters; excerpts are short already, this is a guard. */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
// Slack's mrkdwn treats &, < and > as control characters.
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack user (U…/W…) or user group (S…) id as a mention; anything else is shown as written. */
export function slackMention(id: string): string {
  if (/^[UW][A-Z0-9]+$/.test(id)) return `<@${id}>`;
  if (/^S[A-Z0-9]+$/.test(id)) return `<!subteam^${id}>`;
  if (id === 'here' || id === 'channel') return `<!${id}>`;
  return `@${id}`;
}

/** One-line summary, used as the notification text and as the fallback for clients without blocks. */
export function alertText(alert: RiskAlert): string {
  const e = alert.escalation;
  return `${SEVERITY_ICON[e.severity] ?? ''} Risk ${e.category} (${e.severity}) in ${alert.conversation.key}: "${clip(e.excerpt, 120)}"`;
}

export function alertBlocks(alert: RiskAlert): SlackTypes.KnownBlock[] {
  const e = alert.escalation;
  const actedBy = [
    e.acknowledgedBy ? `acknowledged by ${e.acknowledgedBy}` : undefined,
    e.takenOverBy ? `taken over by ${e.takenOverBy}` : undefined,
    e.closedBy && (e.status === 'false_positive' || e.status === 'resolved') ? `closed by ${e.closedBy}` : undefined,
  ].filter(Boolean).join(', ');
  const blocks: SlackTypes.KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${SEVERITY_ICON[e.severity] ?? ''} Risk · ${e.category} · ${e.severity}`, 150) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`>${escape(e.excerpt).replace(/\n/g, '\n>')}`, 2900) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Conversation*\n${escape(alert.conversation.key)}` },
        { type: 'mrkdwn', text: `*Channel · tier*\n${alert.conversation.channel} · ${escape(alert.conversation.tier ?? 'standard')}` },
        { type: 'mrkdwn', text: `*Occurrences*\n${e.occurrences}` },
        { type: 'mrkdwn', text: `*Status*\n${STATUS_LINE[e.status] ?? e.status}${actedBy ? ` (${escape(actedBy)})` : ''}` },
      ],
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: clip(`Evidence: ${e.evidence.map(escape).join(' · ') || '—'}`, 2900) }],
    },
  ];
  if (e.handoffQueue) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `The bot stopped answering; the conversation is in the *${escape(e.handoffQueue)}* queue.` }] });
  }
  const open = e.status === 'open' || e.status === 'acknowledged' || e.status === 'taken_over';
  if (open) {
    const button = (actionId: string, label: string, style?: 'primary' | 'danger'): SlackTypes.Button => ({
      type: 'button',
      action_id: actionId,
      value: e.id,
      text: { type: 'plain_text', text: label },
      ...(style ? { style } : {}),
    });
    const elements: SlackTypes.Button[] = [];
    if (e.status === 'open') elements.push(button(RISK_ACTIONS.acknowledge, 'Acknowledge · 确认', 'primary'));
    if (e.status !== 'taken_over') elements.push(button(RISK_ACTIONS.takeOver, 'Take over · 接管'));
    elements.push(button(RISK_ACTIONS.falsePositive, 'False positive · 误报', 'danger'));
    blocks.push({ type: 'actions', block_id: `risk:${e.id}`, elements });
  }
  return blocks;
}

export function reminderText(alert: RiskAlert, reminder: RiskReminder): string {
  const who = reminder.mentions.length > 0 ? reminder.mentions.map(slackMention).join(' ') : `@${reminder.role}`;
  return `${who} risk alert not acknowledged yet (reminder ${reminder.step}, ${reminder.role}): ${alertText(alert)}`;
}
