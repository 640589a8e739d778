import { api } from './api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  try {
    await api('/login', { method: 'POST', body: { username: data.get('username'), password: data.get('password') } });
    const next = new URLSearchParams(location.search).get('next') ?? '';
    // Only places of this console: a view (#/…) or the agent inbox; never another site.
    location.assign(next.startsWith('#/') ? `/console/${next}` : /^\/inbox(\?[\w=&%.-]*)?$/.test(next) ? next : '/console/');
  } catch (err) {
    error.textContent = err.status === 401 ? 'Wrong user name or password.' : err.message;
    error.hidden = false;
    document.getElementById('password').select();
  }
});
