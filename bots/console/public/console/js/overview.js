import { api } from './api.js';
import { barChart, rankChart, ring } from './charts.js';
import { clear, fmtNumber, fmtPercent, fmtSeconds, h } from './dom.js';

const REFRESH_MS = 5000;

function card(title, metric, body, testid) {
  if (!metric.available) {
    return h('div', { class: 'card na', 'data-testid': testid, title: metric.reason }, h('h3', {}, title), h('div', { class: 'big' }, 'not available'), h('div', { class: 'sub' }, metric.reason));
  }
  return h('div', { class: 'card', 'data-testid': testid }, h('h3', {}, title), ...body(metric.value));
}

const label = (iso, bucketSeconds) => {
  const d = new Date(iso);
  return bucketSeconds >= 86_400 ? `${d.getMonth() + 1}/${d.getDate()}` : `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

function draw(root, o) {
  const cards = h('div', { class: 'grid' },
    card('Open conversations', o.openConversations, (v) => [
      h('div', { class: 'big', 'data-testid': 'open-conversations' }, fmtNumber(v.total)),
      h('div', { class: 'sub' }, Object.entries(v.byStatus).map(([k, n]) => `${k.replace('_', ' ')} ${n}`).join(' · ') || 'none'),
    ], 'card-open'),
    card('Containment', o.containment, (v) => [
      h('div', { class: 'row' }, ring(v.rate), h('div', { class: 'big' }, fmtPercent(v.rate))),
      h('div', { class: 'sub' }, `${v.contained} of ${v.closed} closed conversations without a person`),
    ], 'card-containment'),
    card('First-contact resolution', o.firstContactResolution, (v) => [
      h('div', { class: 'row' }, ring(v.rate, { color: '#2563eb' }), h('div', { class: 'big' }, fmtPercent(v.rate))),
      h('div', { class: 'sub' }, `${v.resolved} of ${v.closed}: no new contact within ${v.windowDays} days`),
    ], 'card-fcr'),
    card('Reply latency', o.replyLatency, (v) => [
      h('div', { class: `big ${v.p95Ms > 2000 ? 'bad' : v.p95Ms > 500 ? 'warn' : ''}` }, v.p95Ms === null ? '–' : `${Math.round(v.p95Ms)} ms`),
      h('div', { class: 'sub' }, `p95 · p50 ${v.p50Ms === null ? '–' : `${Math.round(v.p50Ms)} ms`} · ${fmtNumber(v.replies)} replies`),
    ], 'card-latency'),
    card('Handoff queue', o.handoffQueue, (v) => [
      h('div', { class: `big ${v.waiting > 0 ? 'warn' : ''}` }, fmtNumber(v.waiting)),
      h('div', { class: 'sub' }, `waiting · oldest ${fmtSeconds(v.oldestWaitSeconds)}`),
      h('div', { class: 'sub' }, `${v.claimed} claimed · wait p50 ${fmtSeconds(v.waitP50Seconds)} · p90 ${fmtSeconds(v.waitP90Seconds)}`),
    ], 'card-queue'),
    card('SLA breaches', o.slaBreaches, (v) => [
      h('div', { class: `big ${v.total > 0 ? 'bad' : 'good'}` }, fmtNumber(v.total)),
      h('div', { class: 'sub' }, `wait over ${fmtSeconds(v.slaSeconds)}: ${v.waitingOverSla} waiting now, ${v.claimedLate} claimed late`),
    ], 'card-sla'),
    card('Open risk escalations', o.riskEscalations, (v) => [
      h('div', { class: `big ${v.open > 0 ? 'bad' : 'good'}` }, fmtNumber(v.open)),
      h('div', { class: 'sub' }, ['critical', 'high', 'medium', 'low'].filter((s) => v.bySeverity[s]).map((s) => `${s} ${v.bySeverity[s]}`).join(' · ') || 'none open'),
      h('div', { class: 'sub' }, `${v.eventsInPeriod} risky messages in the period`),
    ], 'card-risk'),
    card('Delivery failures', o.deliveryFailures, (v) => [
      h('div', { class: `big ${v.total > 0 ? 'bad' : 'good'}` }, fmtNumber(v.total)),
      h('div', { class: 'sub' }, Object.entries(v.byChannel).map(([k, n]) => `${k} ${n}`).join(' · ') || 'none'),
    ], 'card-failures'),
  );

  const charts = h('div', { class: 'grid wide' },
    card('Conversations', o.volume, (v) => [
      h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'sw-blue' }), 'started'), h('span', {}, h('i', { class: 'sw-grey' }), 'closed')),
      barChart(v.map((b) => ({ label: label(b.at, o.period.bucketSeconds), started: b.started, closed: b.closed })), {
        series: [{ key: 'started', color: '#2563eb', name: 'started' }, { key: 'closed', color: '#94a3b8', name: 'closed' }],
        labelEvery: Math.ceil(v.length / 8), title: 'conversations started and closed',
      }),
    ], 'chart-volume'),
    card('QA scores', o.qaScores, (v) => [
      h('div', { class: 'sub' }, `${v.scored} scored · average ${v.average === null ? '–' : v.average.toFixed(1)} · ${fmtPercent(v.scored ? v.passed / v.scored : null)} passed`),
      barChart(v.histogram.map((b) => ({ label: `${b.from}`, value: b.count })), { series: [{ key: 'value', color: '#16a34a', name: 'conversations' }], title: 'QA score distribution' }),
    ], 'chart-qa'),
    card('Top intents', o.topIntents, (v) => (v.length
      ? [rankChart(v.map((t) => ({ label: t.intent, value: t.count, previous: t.previous })), { extra: (it) => ` (before ${it.previous})` })]
      : [h('div', { class: 'sub' }, 'no classified turns in this period')]), 'chart-intents'),
    card('Rising topics', o.risingTopics, (v) => [
      v.rising.length
        ? h('ul', {}, v.rising.map((t) => h('li', {}, h('strong', {}, t.intent), ` ${t.count} (before ${t.previous}, ×${t.growth.toFixed(1)})`)))
        : h('div', { class: 'sub' }, 'nothing rising against the previous period'),
      v.digest ? h('p', { class: 'sub' }, `Latest weekly digest: ${v.digest}`) : null,
    ], 'chart-rising'),
  );
  clear(root).append(cards, charts);
}

export async function render(view, { showError }) {
  let period = sessionStorage.getItem('kefu.period') ?? '24h';
  let live = true;
  const stamp = h('span', { class: 'muted', 'data-testid': 'updated' });
  const select = h('select', { 'aria-label': 'Period', 'data-testid': 'period', onchange: (e) => { period = e.target.value; sessionStorage.setItem('kefu.period', period); load(); } },
    ['1h', '24h', '7d', '30d'].map((p) => h('option', { value: p, selected: p === period }, `last ${p}`)));
  const toggle = h('label', { class: 'muted' }, h('input', { type: 'checkbox', checked: true, onchange: (e) => { live = e.target.checked; } }), ' live');
  const body = h('div', {});
  view.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Overview'), select, toggle, stamp), body);

  let busy = false;
  async function load() {
    if (busy) return;
    busy = true;
    try {
      draw(body, await api(`/overview?period=${period}`));
      stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      showError(err);
      if (err.status === 403) live = false;
    } finally {
      busy = false;
    }
  }
  await load();
  const timer = setInterval(() => { if (live && document.visibilityState === 'visible') load(); }, REFRESH_MS);
  return () => clearInterval(timer);
}
