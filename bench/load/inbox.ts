/** Replies one simulated customer has received, in order, with a way to wait for the n-th. */
export class Inbox {
  readonly arrivals: number[] = [];
  /** Replies received more than once (same id): what a customer would see twice. */
  duplicates = 0;
  /** Each repeat: the reply's id, when it first came, and when it came again. */
  readonly repeats: { id: string; firstAt: number; againAt: number }[] = [];
  private readonly ids = new Map<string, number>();
  private waiters: { n: number; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }[] = [];

  push(id: string, at = Date.now()): void {
    const first = this.ids.get(id);
    if (first !== undefined) {
      this.duplicates += 1;
      this.repeats.push({ id, firstAt: first, againAt: at });
      return;
    }
    this.ids.set(id, at);
    this.arrivals.push(at);
    this.waiters = this.waiters.filter((w) => {
      if (this.arrivals.length < w.n) return true;
      clearTimeout(w.timer);
      w.resolve(true);
      return false;
    });
  }

  get count(): number {
    return this.arrivals.length;
  }

  /** True once `n` replies are in; false if the deadline passes first. */
  waitFor(n: number, deadline: number): Promise<boolean> {
    if (this.arrivals.length >= n) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { n, resolve, timer: setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(false);
      }, Math.max(0, deadline - Date.now())) };
      this.waiters.push(w);
    });
  }
}
