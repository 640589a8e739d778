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
    const setCookie = res.headers.get('set-cookie') ?? undefined;
    const body = (await res.json()) as Record<string, unknown>;
    if (res.ok) {
      this.cookie = setCookie?.split(';')[0];
      this.csrf = body.csrfToken as string;
    }
    return { status: res.status, body, setCookie };
  }

  async get(path: string) {
    const res = await fetch(`${this.baseUrl}/console/api${path}`, { headers: this.cookie ? { cookie: this.cookie } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async post(path: string, body: unknown, opts: { csrf?: boolean } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (opts.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.baseUrl}/console/api${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined };
  }
}
