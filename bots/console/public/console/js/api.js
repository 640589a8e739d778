// The console's one way to talk to the gateway: same-origin JSON, the CSRF token on every change, and a trip to the
// sign-in page when the session is gone.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const setCsrfToken = (token) => { csrfToken = token; };

/** Any of the gateway's JSON routes the session may use (the console's, /v1/qa, /v1/risk), by absolute path. */
export async function request(url, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new ApiError(res.status, data.error?.code ?? 'error', data.error?.message ?? `request failed (${res.status})`);
    if (res.status === 401 && url !== '/console/api/login') location.assign(`/console/login.html?next=${encodeURIComponent(location.hash)}`);
    throw err;
  }
  return data;
}

/** The console's own API under /console/api. */
export const api = (path, opts) => request(`/console/api${path}`, opts);
