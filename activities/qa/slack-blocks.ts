import type { KnownBlock } from '@slack/web-api';
import { QA_ACTIONS, type QaAgent, type QaAlertPost, type QaDecisionPost, type QaDisputePost, type QaFailedFinding, type QaPost, type QaReportPost } from './alert-sink.js';

/** Slack Block Kit for QA posts. Pure functions of the post, so they are tested without Slack. */

// Slack's limits: 3000 characters in a section, 150 in a header, 50 blocks per message.
const SECTION_MAX = 2900;
const MAX_FINDINGS = 10;

/** mrkdwn treats &, < and > as markup; user text (notes, reasons) must not become links or mentions. */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const link = (url: string, label: string) => `<${url}|${escapeMrkdwn(label)}>`;

const agentLabel = (a: QaAgent) => (a.name ? `${escapeMrkdwn(a.name)} (${escapeMrkdwn(a.id)})` : escapeMrkdwn(a.id));

const SEVERITY_ICON: Record<QaFailedFinding['severity'], string> = { critical: ':red_circle:', major: ':large_orange_circle:', minor: ':white_circle:' };

function findingLine(f: QaFailedFinding): string {
  const where = f.evidence.length ? ` · messages ${f.evidence.join(', ')}` : '';
  return `${SEVERITY_ICON[f.severity]} *${escapeMrkdwn(f.name)}* (${f.severity})\n${escapeMrkdwn(clip(f.note, 600))}${where}`;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_MAX) } });

export function alertText(post: QaAlertPost): string {
  const why = post.reasons.includes('critical_failure') ? `critical: ${post.criticalFailures.join(', ')}` : `below ${post.alertBelow}`;
  return `QA alert: ${post.conversationKey} scored ${post.score} (${why})`;
}

function alertBlocks(post: QaAlertPost): KnownBlock[] {
  const reasons = [
    post.reasons.includes('critical_failure') ? `*Critical failure* ${escapeMrkdwn(post.criticalFailures.join(', '))}` : null,
    post.reasons.includes('low_score') ? `*Low score* (alert below ${post.alertBelow})` : null,
  ].filter(Boolean);
  const agents = post.agents.length ? post.agents.map(agentLabel).join(', ') : 'bot only';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`QA alert · score ${post.score}/100`, 150) } },
    section(
      `*Conversation* ${link(post.link, post.conversationKey)} · ${post.channel} · ${post.language}\n` +
        `*Score* ${post.score} (pass ${post.passScore}) · ${reasons.join(' · ')}\n*Handled by* ${agents}`,
    ),
  ];
  for (const f of post.failed.slice(0, MAX_FINDINGS)) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(findingLine(f), SECTION_MAX) },
      accessory: { type: 'button', action_id: QA_ACTIONS.dispute, value: f.findingId, text: { type: 'plain_text', text: 'Dispute' } },
    });
  }
  if (post.failed.length > MAX_FINDINGS) blocks.push(section(`…and ${post.failed.length - MAX_FINDINGS} more failed criteria: ${link(post.link, 'see all')}`));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'An agent can dispute a finding; a QA lead accepts or rejects the dispute.' }] });
  return blocks;
}

function disputeBlocks(post: QaDisputePost): KnownBlock[] {
  return [
    section(
      `*Dispute* by ${agentLabel(post.agent)} on ${link(post.link, post.conversationKey)}\n${findingLine(post.finding)}\n` +
        `>${escapeMrkdwn(clip(post.reason, 1500)).replace(/\n/g, '\n>')}`,
    ),
    {
      type: 'actions',
      elements: [
        { type: 'button', style: 'primary', action_id: QA_ACTIONS.accept, value: post.disputeId, text: { type: 'plain_text', text: 'Accept (overturn)' } },
        { type: 'button', style: 'danger', action_id: QA_ACTIONS.reject, value: post.disputeId, text: { type: 'plain_text', text: 'Reject' } },
      ],
    },
  ];
}

function decisionText(post: QaDecisionPost): string {
  const verdict = post.accepted ? 'accepted: finding overturned' : 'rejected: finding stands';
  return `Dispute on ${post.finding.name} ${verdict} by ${post.lead.name ?? post.lead.id}; score ${post.previousScore} → ${post.score}`;
}

function decisionBlocks(post: QaDecisionPost): KnownBlock[] {
  const verdict = post.accepted ? '*accepted* — finding overturned' : '*rejected* — finding stands';
  const note = post.note ? `\n>${escapeMrkdwn(clip(post.note, 1500)).replace(/\n/g, '\n>')}` : '';
  return [
    section(
      `Dispute by ${agentLabel(post.agent)} on *${escapeMrkdwn(post.finding.name)}* ${verdict} by ${agentLabel(post.lead)}.\n` +
        `Score ${post.previousScore} → *${post.score}* (${post.passed ? 'passed' : 'not passed'}) · ${link(post.link, post.conversationKey)}${note}`,
    ),
  ];
}

/** The report table in code blocks, split so no section passes Slack's limit. */
function reportBlocks(post: QaReportPost): KnownBlock[] {
  const { report } = post;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`QA report · ${report.period.since.slice(0, 10)} → ${report.period.until.slice(0, 10)}`, 150) } },
  ];
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length) blocks.push(section(`\`\`\`${chunk.join('\n')}\`\`\``));
    chunk = [];
  };
  for (const line of post.text.split('\n')) {
    if ([...chunk, line].join('\n').length > SECTION_MAX - 10) flush();
    chunk.push(line);
  }
  flush();
  return blocks.slice(0, 50);
}

export function renderSlackPost(post: QaPost): { text: string; blocks: KnownBlock[] } {
  switch (post.kind) {
    case 'alert':
      return { text: alertText(post), blocks: alertBlocks(post) };
    case 'dispute':
      return { text: `Dispute on ${post.finding.name} by ${post.agent.name ?? post.agent.id}`, blocks: disputeBlocks(post) };
    case 'decision':
      return { text: decisionText(post), blocks: decisionBlocks(post) };
    case 'report':
      return { text: `QA report ${post.report.period.since.slice(0, 10)} → ${post.report.period.until.slice(0, 10)}`, blocks: reportBlocks(post) };
  }
}
