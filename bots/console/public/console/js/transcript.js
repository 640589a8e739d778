import { api } from './api.js';
import { fmtTime, h } from './dom.js';

function section(title, part, rows, testid) {
  const body = !part.available ? h('p', { class: 'muted' }, `Not available: ${part.reason}`) : part.rows.length === 0 ? h('p', { class: 'muted' }, 'none') : rows(part.rows);
  return h('section', { 'data-testid': testid }, h('h3', {}, title), body);
}

const link = (href, text) => (href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text) : null);

export async function render(view, { session, arg: key, showError }) {
  const d = await api(`/conversations/${encodeURIComponent(key)}`);
  const c = d.conversation;
  const risky = new Map(d.riskEvents.available ? d.riskEvents.rows.map((r) => [r.messageId, r]) : []);
  const intents = new Map(d.intents.available ? d.intents.rows.map((r) => [r.messageId, r]) : []);

  const closeButton = session.user.role !== 'agent' && c.status !== 'closed'
    ? h('button', { class: 'danger', 'data-testid': 'close-conversation', onclick: async (e) => {
      e.target.disabled = true;
      try {
        await api(`/conversations/${encodeURIComponent(key)}/close`, { method: 'POST', body: { reason: 'closed_by_supervisor' } });
        e.target.textContent = 'Closing…';
      } catch (err) {
        showError(err);
        e.target.disabled = false;
      }
    } }, 'Close conversation')
    : null;

  const messages = h('div', { class: 'messages', 'data-testid': 'transcript' }, d.messages.map((m) => {
    const risk = risky.get(m.id);
    const intent = intents.get(m.id);
    return h('div', { class: `msg ${m.role}${risk ? ' risky' : ''}`, 'data-testid': `msg-${m.role}` },
      m.text,
      h('span', { class: 'meta' },
        `${m.role} · ${fmtTime(m.createdAt)}`,
        intent?.intent ? ` · intent ${intent.intent} (${Math.round((intent.confidence ?? 0) * 100)}%)` : '',
        risk ? ` · risk ${risk.severity}: ${risk.categories.join(', ')}` : '',
        m.citations?.length ? ` · sources: ${m.citations.map((x) => x.title).join('; ')}` : ''),
    );
  }));

  const side = h('div', { class: 'side' },
    h('section', {},
      h('h3', {}, 'Conversation'),
      h('ul', {},
        h('li', {}, `customer ${d.customer.displayName ?? d.customer.id} (${d.customer.tier})`),
        h('li', {}, `channel ${c.channel}, status `, h('span', { class: `pill ${c.status}` }, c.status.replace('_', ' '))),
        h('li', {}, `started ${fmtTime(c.startedAt)}`),
        c.closedAt ? h('li', {}, `closed ${fmtTime(c.closedAt)} (${c.closeReason ?? '–'})`) : null,
        h('li', {}, d.links.workflow ? link(d.links.workflow, 'Workflow in the Temporal UI') : 'Temporal UI not configured'),
      ),
      closeButton,
    ),
    section('QA', d.qaResults, (rows) => h('div', {},
      rows.map((r) => h('p', {}, h('span', { class: `pill ${r.passed ? 'pass' : 'fail'}`, 'data-testid': 'qa-score' }, `score ${r.score.toFixed(0)} / pass ${r.passScore}`), ' ',
        link(d.links.qaResults?.[r.id], 'workflow'))),
      d.qaFindings.available && d.qaFindings.rows.length
        ? h('ul', { 'data-testid': 'qa-findings' }, d.qaFindings.rows.filter((f) => f.status === 'fail').map((f) => h('li', {}, h('span', { class: `pill ${f.severity}` }, f.severity), ` ${f.name}: ${f.note}`)))
        : null), 'qa'),
    section('Risk', d.riskEvents, (rows) => h('ul', {}, rows.map((r) => h('li', {}, h('span', { class: `pill ${r.severity}` }, r.severity), ` ${r.categories.join(', ')}: “${r.excerpt}”`))), 'risk'),
    section('Risk escalations', d.riskEscalations, (rows) => h('ul', {}, rows.map((e) => h('li', {}, `${e.category} · ${e.status} · ${e.severity} `, link(d.links.riskEscalations?.[e.id], 'workflow')))), 'escalations'),
    section('Handoffs', d.handoffs, (rows) => h('ul', {}, rows.map((x) => h('li', {}, `${x.queue} · ${x.status}${x.agentName ? ` · ${x.agentName}` : ''} · ${fmtTime(x.createdAt)} `, link(d.links.handoffs?.[x.id], 'workflow')))), 'handoffs'),
    h('section', {}, h('h3', {}, 'Deliveries'), d.deliveries.length
      ? h('ul', {}, d.deliveries.map((x) => h('li', {}, `${x.status} · ${x.attempts} attempt${x.attempts === 1 ? '' : 's'}${x.lastError ? ` · ${x.lastError}` : ''}`)))
      : h('p', { class: 'muted' }, 'none')),
  );

  view.append(
    h('div', { class: 'toolbar' }, h('h2', {}, `Conversation ${c.externalId}`), h('a', { href: '#/conversations' }, '← back to search')),
    h('div', { class: 'transcript' }, messages, side),
  );
}
