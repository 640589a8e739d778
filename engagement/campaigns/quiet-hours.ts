/**
 * Quiet hours in the customer's own time zone. Returns how long to wait until sending is allowed (0 = now). The
 * wait is computed from wall-clock fields, so across a daylight-saving change it can be off by the shift; the
 * workflow asks again when it wakes up, which corrects it.
 */
export function msUntilAllowed(now: Date, timeZone: string, window: { start: string; end: string } | null): number {
  if (!window) return 0;
  const start = seconds(window.start);
  const end = seconds(window.end);
  if (start === end) return 0;
  const t = localSecondsOfDay(now, timeZone);
  const quiet = start < end ? t >= start && t < end : t >= start || t < end;
  if (!quiet) return 0;
  const waitSeconds = (end - t + 86_400) % 86_400;
  // Sub-second part of "now" is subtracted so the wake-up lands on the boundary, not just before it.
  return waitSeconds * 1000 - now.getUTCMilliseconds();
}

function seconds(clock: string): number {
  const [h = 0, m = 0, s = 0] = clock.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}

export function localSecondsOfDay(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second');
}
