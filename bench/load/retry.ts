/** Sleeps, unless the run's deadline comes first. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/**
 * POSTs until the gateway takes the message: on connection errors (gateway down), 5xx (database restarting) and 429 it
 * waits and sends the *same* body again, so the message id makes the retry harmless. Bounded by `deadline`.
 */
export async function postUntilAccepted(url: string, body: unknown, deadline: number): Promise<{ ok: boolean; attempts: number; status?: number }> {
  let attempts = 0;
  let wait = 100;
  for (;;) {
    attempts += 1;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, attempts, status: res.status };
      if (res.status < 500 && res.status !== 429) return { ok: false, attempts, status: res.status };
    } catch {
      // connection refused or reset: the gateway is restarting
    }
    if (Date.now() + wait > deadline) return { ok: false, attempts };
    await sleep(wait);
    wait = Math.min(wait * 2, 2000);
  }
}
