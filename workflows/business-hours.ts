import type { BusinessHours, BusinessHoursWindow } from './handoff-types.js';

/** Pure time arithmetic for agent opening hours; workflow code calls it with workflow time (`Date.now()`). */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_SEC = 86_400;

function parseTime(t: string): number {
  const [h = 0, m = 0, s = 0] = t.split(':').map(Number);
  if (h > 24 || m > 59 || s > 59 || (h === 24 && (m > 0 || s > 0))) throw new Error(`invalid time ${t}`);
  return h * 3600 + m * 60 + s;
}

function parseDays(spec: string): number[] {
  const [from, to] = spec.toLowerCase().split('-');
  const a = DAYS.indexOf(from ?? '');
  const b = to === undefined ? a : DAYS.indexOf(to);
  if (a < 0 || b < 0) throw new Error(`invalid day range ${spec} (use mon, tue, … sun)`);
  const days: number[] = [];
  for (let d = a; ; d = (d + 1) % 7) {
    days.push(d);
    if (d === b) break;
  }
  return days;
}

/** "mon-fri 09:00-18:00; sat 10:00-14:00" → windows; empty → undefined (always open). */
export function parseBusinessHours(spec: string, timeZone: string): BusinessHours | undefined {
  const parts = spec.split(';').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return undefined;
  const windows: BusinessHoursWindow[] = parts.map((part) => {
    const m = /^([a-z]{3}(?:-[a-z]{3})?)\s+(\d{2}:\d{2}(?::\d{2})?)-(\d{2}:\d{2}(?::\d{2})?)$/i.exec(part);
    if (!m) throw new Error(`invalid business hours "${part}" (use e.g. "mon-fri 09:00-18:00")`);
    return { days: parseDays(m[1] as string), openSec: parseTime(m[2] as string), closeSec: parseTime(m[3] as string) };
  });
  return { timeZone, windows };
}

/** Weekday and seconds since midnight of an instant in a time zone. */
export function localClock(at: Date, timeZone: string): { day: number; sec: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  const day = DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3));
  return { day, sec: Number(get('hour')) * 3600 + Number(get('minute')) * 60 + Number(get('second')) };
}

function isOpenAt(day: number, sec: number, w: BusinessHoursWindow): boolean {
  if (w.openSec < w.closeSec) return w.days.includes(day) && sec >= w.openSec && sec < w.closeSec;
  // Overnight window: the evening part belongs to the listed day, the early-morning part to the day after.
  return (w.days.includes(day) && sec >= w.openSec) || (w.days.includes((day + 6) % 7) && sec < w.closeSec);
}

export interface BusinessHoursStatus {
  open: boolean;
  /** When closed: the next opening (approximate by up to an hour across a daylight-saving change). */
  opensAt?: Date;
}

export function businessHoursStatus(now: Date, hours: BusinessHours | undefined): BusinessHoursStatus {
  if (!hours || hours.windows.length === 0) return { open: true };
  const { day, sec } = localClock(now, hours.timeZone);
  if (hours.windows.some((w) => isOpenAt(day, sec, w))) return { open: true };
  let best: number | undefined;
  for (let offset = 0; offset <= 7; offset++) {
    const d = (day + offset) % 7;
    for (const w of hours.windows) {
      if (!w.days.includes(d)) continue;
      const delta = offset * DAY_SEC + w.openSec - sec;
      if (delta > 0 && (best === undefined || delta < best)) best = delta;
    }
  }
  return { open: false, opensAt: best === undefined ? undefined : new Date(now.getTime() + best * 1000) };
}
