/** A console user's HTTP client: keeps the session cookie and the CSRF token like the browser pages do. */
export class ConsoleClient {
  private csrf: string | undefined;

  constructor(private readonly baseUrl: string, private cookie?: string) {}

  async login(username: string, password: string) {
    const res = await fetch(`${this.baseUrl}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const setCookies = res.headers.getSetCookie();
    // The live session cookie (others in the answer only clear older ones).
    const setCookie = setCookies.find((c) => /^kefu_console=[^;]+/.test(c));
    const body = (await res.json()) as Record<string, unknown>;
    if (res.ok) {
      this.cookie = setCookie?.split(';')[0];
      this.csrf = body.csrfToken as string;
    }
    return { status: res.status, body, setCookie, setCookies };
  }

  /** GET under /console/api. */
  get(path: string) {
    return this.getFrom(`/console/api${path}`);
  }

  /** POST under /console/api. */
  post(path: string, body: unknown, opts: { csrf?: boolean } = {}) {
    return this.postTo(`/console/api${path}`, body, opts);
  }

  /** GET any gateway path with the session (the inbox, /v1/qa, /v1/risk). */
  async getFrom(path: string) {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: this.cookie ? { cookie: this.cookie } : {} });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : undefined) as Record<string, unknown> };
  }

  /** POST any gateway path with the session and (unless told not to) its CSRF token. */
  async postTo(path: string, body: unknown, opts: { csrf?: boolean } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (opts.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined };
  }
}
