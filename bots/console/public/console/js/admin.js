import { api } from './api.js';
import { fmtTime, h } from './dom.js';

export async function render(view, { showError }) {
  const [{ sessions }, { entries }] = await Promise.all([api('/admin/sessions'), api('/admin/audit')]);
  const revoke = (id) => async (e) => {
    e.target.disabled = true;
    try {
      await api(`/admin/sessions/${encodeURIComponent(id)}/revoke`, { method: 'POST' });
      e.target.closest('tr').remove();
    } catch (err) {
      showError(err);
      e.target.disabled = false;
    }
  };
  view.append(
    h('div', { class: 'toolbar' }, h('h2', {}, 'Sessions')),
    h('table', { 'data-testid': 'sessions' },
      h('thead', {}, h('tr', {}, ['User', 'Role', 'Signed in', 'Last seen', 'Expires', 'Address', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, sessions.map((s) => h('tr', {},
        h('td', {}, s.username), h('td', {}, s.role), h('td', {}, fmtTime(s.createdAt)), h('td', {}, fmtTime(s.lastSeenAt)),
        h('td', {}, fmtTime(s.expiresAt)), h('td', {}, s.ip ?? ''), h('td', {}, h('button', { class: 'secondary', onclick: revoke(s.id) }, 'Revoke')))))),
    h('div', { class: 'toolbar' }, h('h2', {}, 'Audit trail')),
    h('table', { 'data-testid': 'audit' },
      h('thead', {}, h('tr', {}, ['When', 'User', 'Action', 'Target'].map((t) => h('th', {}, t)))),
      h('tbody', {}, entries.map((a) => h('tr', {}, h('td', {}, fmtTime(a.at)), h('td', {}, a.username), h('td', {}, a.action), h('td', {}, a.target ?? ''))))),
  );
}
