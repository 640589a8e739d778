// Small SVG charts drawn from data: enough for an operations overview, no library and no build step.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/**
 * The y axis of a chart of counts: whole-number ticks from 0, at most `maxTicks` steps, each label different. A step
 * of 1, 2 or 5 times a power of ten (2.5 would give halves at small counts); at least 1, so a maximum of 1 or 2 shows
 * 0, 1 (, 2) rather than quarters that round to the same label.
 */
export function countTicks(maxValue, maxTicks = 5) {
  const top = Math.max(1, Math.ceil(maxValue));
  let step = 1;
  for (let p = 1; ; p *= 10) {
    const found = [1, 2, 5].map((m) => m * p).find((s) => Math.ceil(top / s) <= maxTicks);
    if (found) { step = found; break; }
  }
  const steps = Math.ceil(top / step);
  return Array.from({ length: steps + 1 }, (_, i) => i * step);
}

/** Vertical bars, one per item ({ label, value }); `series` draws several side by side per label. */
export function barChart(items, { series = [{ key: 'value', color: '#2563eb', name: '' }], width = 520, height = 180, labelEvery = 1, title = '' } = {}) {
  const pad = { l: 34, r: 8, t: 8, b: 22 };
  const w = width - pad.l - pad.r;
  const hgt = height - pad.t - pad.b;
  const ticks = countTicks(Math.max(0, ...items.flatMap((it) => series.map((s) => Number(it[s.key]) || 0))));
  const max = ticks[ticks.length - 1];
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  for (const tick of ticks) {
    const y = pad.t + hgt - (hgt * tick) / max;
    root.append(svg('line', { x1: pad.l, x2: width - pad.r, y1: y, y2: y, stroke: '#e5e7eb' }));
    root.append(svg('text', { x: pad.l - 4, y: y + 3, 'text-anchor': 'end', class: 'y-tick' }, tick.toLocaleString()));
  }
  const slot = w / Math.max(items.length, 1);
  const barW = Math.max(1, (slot * 0.8) / series.length);
  items.forEach((it, i) => {
    series.forEach((s, j) => {
      const v = Number(it[s.key]) || 0;
      const bh = (hgt * v) / max;
      const x = pad.l + i * slot + slot * 0.1 + j * barW;
      root.append(svg('rect', { x, y: pad.t + hgt - bh, width: barW, height: bh, fill: s.color, rx: 1 }, svg('title', {}, `${it.label}: ${v}${s.name ? ` ${s.name}` : ''}`)));
    });
    if (i % labelEvery === 0) root.append(svg('text', { x: pad.l + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle' }, it.label));
  });
  return root;
}

/** Horizontal bars with their labels, for rankings (top intents). */
export function rankChart(items, { width = 520, color = '#2563eb', extra = () => '' } = {}) {
  const row = 22;
  const labelW = 170;
  const height = Math.max(row * items.length, row);
  const max = Math.max(1, ...items.map((it) => it.value));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  items.forEach((it, i) => {
    const y = i * row;
    const bw = ((width - labelW - 70) * it.value) / max;
    root.append(svg('text', { x: labelW - 6, y: y + 15, 'text-anchor': 'end' }, it.label.length > 26 ? `${it.label.slice(0, 25)}…` : it.label));
    root.append(svg('rect', { x: labelW, y: y + 4, width: Math.max(bw, 1), height: row - 8, fill: color, rx: 2 }));
    root.append(svg('text', { x: labelW + bw + 6, y: y + 15 }, `${it.value}${extra(it)}`));
  });
  return root;
}

/** A share as a ring (containment, first-contact resolution). */
export function ring(share, { size = 64, color = '#16a34a' } = {}) {
  const r = size / 2 - 6;
  const c = 2 * Math.PI * r;
  const root = svg('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, class: 'ring', role: 'img' });
  root.append(svg('circle', { cx: size / 2, cy: size / 2, r, fill: 'none', stroke: '#e5e7eb', 'stroke-width': 8 }));
  if (share !== null && share !== undefined) {
    root.append(svg('circle', {
      cx: size / 2, cy: size / 2, r, fill: 'none', stroke: color, 'stroke-width': 8,
      'stroke-dasharray': `${c * share} ${c}`, transform: `rotate(-90 ${size / 2} ${size / 2})`,
    }));
  }
  return root;
}
