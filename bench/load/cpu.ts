import { readdirSync, readFileSync } from 'node:fs';

// Linux reports process times in clock ticks; 100 per second on every mainstream kernel configuration.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; 0 when it is gone or this is not Linux. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The first process whose command line contains every one of `parts` (the Temporal dev server by its port). */
export function findPid(parts: string[]): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (parts.every((p) => cmd.includes(p))) return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

/**
 * CPU seconds used during a run by every process whose command line contains `part` (the backends of a PostgreSQL
 * cluster, which come and go with connections): sampled every second, so a process that ends still counts up to its
 * last sample.
 */
export function sampleCpuOfAll(part: string, everyMs = 1000): { stop(): number } {
  const seen = new Map<number, { first: number; last: number }>();
  const sample = (initial: boolean) => {
    for (const pid of pidsMatching(part)) {
      const now = cpuSeconds(pid);
      const s = seen.get(pid);
      if (s) s.last = Math.max(s.last, now);
      else seen.set(pid, { first: initial ? now : 0, last: now });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      return [...seen.values()].reduce((n, s) => n + (s.last - s.first), 0);
    },
  };
}

function pidsMatching(part: string): number[] {
  const pids: number[] = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(part)) pids.push(Number(entry));
      } catch {
        // ended while we looked
      }
    }
  } catch {
    // no /proc
  }
  return pids;
}
