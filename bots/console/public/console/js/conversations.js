import { api } from './api.js';
import { fmtTime, h } from './dom.js';

const FIELDS = ['customer', 'channel', 'status', 'intent', 'risk', 'qaMin', 'qaMax', 'from', 'to'];
const option = (value, text, selected) => h('option', { value, selected: value === selected }, text);

export async function render(view, { session, arg, showError }) {
  const params = arg instanceof URLSearchParams ? arg : new URLSearchParams();
  const value = (k) => params.get(k) ?? '';
  const unavailable = (filter) => (session.filters[filter] ? undefined : 'not available yet');

  const form = h('form', { class: 'search', 'data-testid': 'search-form', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
    location.hash = `#/conversations?${q}`;
  } },
    h('label', {}, 'Customer', h('input', { name: 'customer', value: value('customer'), placeholder: 'id or name' })),
    h('label', {}, 'Channel', h('select', { name: 'channel' }, option('', 'any', value('channel')), ['web', 'teams', 'wechat'].map((c) => option(c, c, value('channel'))))),
    h('label', {}, 'Status', h('select', { name: 'status' }, option('', 'any', value('status')),
      [['bot', 'with bot'], ['waiting_agent', 'waiting for agent'], ['with_agent', 'with agent'], ['closed', 'closed']].map(([v, t]) => option(v, t, value('status'))))),
    h('label', { title: unavailable('intent') }, 'Intent', h('input', { name: 'intent', value: value('intent'), disabled: !session.filters.intent })),
    h('label', { title: unavailable('risk') }, 'Risk', h('select', { name: 'risk', disabled: !session.filters.risk }, option('', 'any', value('risk')),
      [['any', 'any risk'], ['medium', 'medium or above'], ['high', 'high or above'], ['critical', 'critical']].map(([v, t]) => option(v, t, value('risk'))))),
    h('label', { title: unavailable('qa') }, 'QA score from', h('input', { name: 'qaMin', type: 'number', min: 0, max: 100, value: value('qaMin'), disabled: !session.filters.qa })),
    h('label', { title: unavailable('qa') }, 'QA score to', h('input', { name: 'qaMax', type: 'number', min: 0, max: 100, value: value('qaMax'), disabled: !session.filters.qa })),
    h('label', {}, 'Active from', h('input', { name: 'from', type: 'date', value: value('from') })),
    h('label', {}, 'Active until', h('input', { name: 'to', type: 'date', value: value('to') })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'search' }, 'Search'), h('button', { type: 'button', class: 'secondary', onclick: () => { location.hash = '#/conversations'; } }, 'Reset')),
  );
  const results = h('div', { 'data-testid': 'results' }, 'Searching…');
  view.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Conversations')), form, results);

  const query = new URLSearchParams();
  for (const k of FIELDS) if (params.get(k)) query.set(k, params.get(k));
  // Dates from the form are days; "until" includes the whole day.
  if (query.get('to')) query.set('to', new Date(new Date(query.get('to')).getTime() + 86_400_000).toISOString());
  try {
    const { conversations, total } = await api(`/conversations?${query}`);
    results.replaceChildren(
      h('p', { class: 'muted' }, `${total} conversation${total === 1 ? '' : 's'}${total > conversations.length ? `, newest ${conversations.length} shown` : ''}`),
      h('table', {},
        h('thead', {}, h('tr', {}, ['Customer', 'Channel', 'Status', 'Last customer message', 'Messages', 'Last activity'].map((t) => h('th', {}, t)))),
        h('tbody', {}, conversations.map((c) => h('tr', { class: 'clickable', 'data-testid': 'conversation-row', 'data-key': c.key, onclick: () => { location.hash = `#/conversation/${encodeURIComponent(c.key)}`; } },
          h('td', {}, h('a', { href: `#/conversation/${encodeURIComponent(c.key)}` }, c.customerName ?? c.customerId)),
          h('td', {}, c.channel),
          h('td', {}, h('span', { class: `pill ${c.status}` }, c.status.replace('_', ' '))),
          h('td', {}, (c.lastCustomerText ?? '').slice(0, 120)),
          h('td', {}, c.messages),
          h('td', {}, fmtTime(c.lastMessageAt)),
        ))),
      ),
    );
  } catch (err) {
    results.replaceChildren();
    showError(err);
  }
}
