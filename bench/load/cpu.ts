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

/** CPU seconds of every process whose command line contains `part` (all backends of a PostgreSQL cluster). */
export function cpuSecondsOfAll(part: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(part)) total += cpuSeconds(Number(entry));
      } catch {
        // ended while we looked
      }
    }
  } catch {
    // no /proc
  }
  return total;
}
