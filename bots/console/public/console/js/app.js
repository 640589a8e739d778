import { api, setCsrfToken } from './api.js';
import { clear } from './dom.js';
import * as admin from './admin.js';
import * as conversations from './conversations.js';
import * as overview from './overview.js';
import * as transcript from './transcript.js';

const view = document.getElementById('view');
const pageError = document.getElementById('page-error');
let cleanup = null;
let session = null;

/** Shows what went wrong where the page would be; a role that is too small reads as a plain sentence. */
export function showError(err) {
  pageError.textContent = err.status === 403 ? `Not allowed: ${err.message}.` : err.message;
  pageError.hidden = false;
}

function route() {
  const hash = location.hash || '#/overview';
  const [path, query = ''] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'conversation' && parts[1]) return { name: 'conversations', view: transcript, arg: decodeURIComponent(parts.slice(1).join('/')) };
  if (parts[0] === 'conversations') return { name: 'conversations', view: conversations, arg: new URLSearchParams(query) };
  if (parts[0] === 'admin') return { name: 'admin', view: admin };
  return { name: 'overview', view: overview };
}

async function render() {
  if (cleanup) cleanup();
  cleanup = null;
  pageError.hidden = true;
  const r = route();
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === r.name);
  clear(view);
  try {
    cleanup = (await r.view.render(view, { session, arg: r.arg, showError })) ?? null;
  } catch (err) {
    showError(err);
  }
}

async function start() {
  try {
    session = await api('/session');
  } catch {
    return; // api() has sent the browser to the sign-in page
  }
  setCsrfToken(session.csrfToken);
  document.getElementById('who').textContent = `${session.user.name} · ${session.user.role}`;
  for (const el of document.querySelectorAll('[data-role="admin"]')) el.hidden = session.user.role !== 'admin';
  document.getElementById('sign-out').addEventListener('click', async () => {
    await api('/logout', { method: 'POST' }).catch(() => undefined);
    location.assign('/console/login.html');
  });
  window.addEventListener('hashchange', render);
  await render();
}

start();
