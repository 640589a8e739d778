import { api, request } from './api.js';
import { fmtTime, h } from './dom.js';

function section(title, part, rows, testid) {
  const body = !part.available ? h('p', { class: 'muted' }, `Not available: ${part.reason}`) : part.rows.length === 0 ? h('p', { class: 'muted' }, 'none') : rows(part.rows);
  return h('section', { 'data-testid': testid }, h('h3', {}, title), body);
}

const link = (href, text) => (href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text) : null);

/** A button that runs `action` once, shows what went wrong, and redraws the page when it worked. */
function actionButton(label, attrs, action, { showError, redraw }) {
  return h('button', { ...attrs, onclick: async (e) => {
    e.target.disabled = true;
    try {
      await action();
      await redraw();
    } catch (err) {
      showError(err);
      e.target.disabled = false;
    }
  } }, label);
}

/**
 * A failed finding with its dispute: the agent it is about (or anyone, for one about the bot alone) may dispute it;
 * a supervisor decides an open dispute. The gateway checks the same (bots/console/permissions.ts); this only hides
 * buttons that would be refused.
 */
function findingItem(f, { may, me, ctx }) {
  const agents = f.actors.filter((a) => a.startsWith('agent:'));
  const mine = agents.length === 0 || agents.includes(`agent:${me}`);
  const parts = [h('span', { class: `pill ${f.severity}` }, f.severity), ` ${f.name}: ${f.note}`, f.overturned ? ' (overturned)' : ''];
  if (f.dispute) {
    const d = f.dispute;
    parts.push(h('div', { class: 'dispute', 'data-testid': 'qa-dispute' },
      h('span', { class: `pill dispute-${d.status}` }, `dispute ${d.status}`), ` ${d.agentName ?? d.agentId}: “${d.reason}”`,
      d.decidedBy ? ` · decided by ${d.decidedBy}${d.note ? `: ${d.note}` : ''}` : ''));
    if (d.status === 'open' && may('qa.dispute.decide')) {
      const note = h('input', { placeholder: 'note (optional)', 'aria-label': 'Decision note', maxlength: 2000 });
      const decide = (accept) => () => request(`/v1/qa/disputes/${encodeURIComponent(d.id)}/decision`, { method: 'POST', body: { accept, ...(note.value.trim() ? { note: note.value.trim() } : {}) } });
      parts.push(h('div', { class: 'inline-form' }, note,
        actionButton('Accept', { 'data-testid': 'qa-accept' }, decide(true), ctx),
        actionButton('Reject', { class: 'secondary', 'data-testid': 'qa-reject' }, decide(false), ctx)));
    }
  } else if (f.status === 'fail' && mine && may('qa.dispute.open')) {
    const reason = h('input', { placeholder: 'why this finding is wrong', 'aria-label': 'Dispute reason', maxlength: 2000 });
    parts.push(h('div', { class: 'inline-form' }, reason, actionButton('Dispute', { class: 'secondary', 'data-testid': 'qa-open-dispute' }, () => {
      if (!reason.value.trim()) throw Object.assign(new Error('Say why the finding is wrong'), { status: 400 });
      return request(`/v1/qa/findings/${encodeURIComponent(f.id)}/disputes`, { method: 'POST', body: { reason: reason.value.trim() } });
    }, ctx)));
  }
  return h('li', { 'data-testid': 'qa-finding' }, parts);
}

/** A risk escalation with the buttons the Slack alert has: acknowledge, take over, false positive. */
function escalationItem(e, { may, link, ctx }) {
  const act = (path) => () => request(`/v1/risk/escalations/${encodeURIComponent(e.id)}/${path}`, { method: 'POST', body: {} });
  const live = e.status === 'open' || e.status === 'acknowledged';
  return h('li', { 'data-testid': 'risk-escalation' }, `${e.category} · `, h('span', { class: 'pill', 'data-testid': 'risk-status' }, e.status.replace('_', ' ')), ` · ${e.severity} `, link,
    live ? h('div', { class: 'inline-form' },
      e.status === 'open' && may('risk.acknowledge') ? actionButton('Acknowledge', { 'data-testid': 'risk-ack' }, act('ack'), ctx) : null,
      may('risk.take_over') ? actionButton('Take over', { class: 'secondary', 'data-testid': 'risk-takeover' }, act('takeover'), ctx) : null,
      may('risk.false_positive') ? actionButton('False positive', { class: 'secondary', 'data-testid': 'risk-false-positive' }, act('false-positive'), ctx) : null)
      : null);
}

export async function render(view, { session, arg: key, showError }) {
  const d = await api(`/conversations/${encodeURIComponent(key)}`);
  const may = (action) => (session.user.may ?? []).includes(action);
  const ctx = { showError, redraw: async () => { view.replaceChildren(); await render(view, { session, arg: key, showError }); } };
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
        ? h('ul', { 'data-testid': 'qa-findings' }, d.qaFindings.rows.filter((f) => f.status === 'fail' || f.overturned || f.dispute)
          .map((f) => findingItem(f, { may, me: session.user.id, ctx })))
        : null), 'qa'),
    section('Risk', d.riskEvents, (rows) => h('ul', {}, rows.map((r) => h('li', {}, h('span', { class: `pill ${r.severity}` }, r.severity), ` ${r.categories.join(', ')}: “${r.excerpt}”`))), 'risk'),
    section('Risk escalations', d.riskEscalations, (rows) => h('ul', {}, rows.map((e) => escalationItem(e, { may, link: link(d.links.riskEscalations?.[e.id], 'workflow'), ctx }))), 'escalations'),
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
