import type { QaReport } from './report.js';

/** The QA report as aligned plain-text tables: what `kefu qa report` prints and the weekly post carries. */

// East Asian wide characters take two terminal columns; padding by string length would skew every CJK row.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

export function table(headers: string[], rows: string[][], align: ('left' | 'right')[]): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i] ?? 0, align[i] ?? 'left')).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const num = (n: number | null) => (n === null ? '—' : n.toFixed(1));
const signed = (n: number | null, unit = '') => (n === null ? '—' : `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n).toFixed(1)}${unit}`);
const points = (rate: number | null) => signed(rate === null ? null : rate * 100, ' pts');
const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function renderQaReportText(report: QaReport): string {
  const { period, previousPeriod: prev, coverage, totals, trend, disputes } = report;
  const out: string[] = [];
  out.push(`QA report ${day(period.since)} → ${day(period.until)} UTC (compared with ${day(prev.since)} → ${day(prev.until)})`);
  out.push('');
  out.push(
    `Coverage    ${coverage.closed} closed · ${coverage.scored} scored · ${coverage.skipped} skipped (nothing to score) · ` +
      `${pct(coverage.rate)} covered (${points(trend.coverage)})`,
  );
  if (coverage.missing.length > 0) {
    out.push(`            not scored yet: ${coverage.missing.slice(0, 5).map((m) => `${m.conversationKey}#${m.closeSeq}`).join(', ')}` +
      `${coverage.missing.length > 5 ? ` and ${coverage.missing.length - 5} more` : ''}`);
  }
  out.push(
    `Score       average ${num(totals.averageScore)} (${signed(trend.averageScore)} vs ${num(report.previousTotals.averageScore)}) · ` +
      `pass rate ${pct(totals.passRate)} (${points(trend.passRate)}) · ${totals.criticalFailures} with a critical failure`,
  );
  out.push(`Disputes    ${disputes.opened} opened · ${disputes.accepted} accepted · ${disputes.rejected} rejected · ${disputes.open} open`);

  out.push('', 'By bot and agent');
  out.push(
    report.byActor.length === 0
      ? '(no scored conversations)'
      : table(
          ['who', 'conversations', 'avg score', 'vs prev', 'pass rate', 'failed findings', 'critical'],
          report.byActor.map((a) => [
            a.label, String(a.conversations), num(a.averageScore), signed(a.change), pct(a.passRate), String(a.failedFindings), String(a.criticalFindings),
          ]),
          ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
        ),
  );

  out.push('', 'By criterion');
  out.push(
    report.byCriterion.length === 0
      ? '(no findings)'
      : table(
          ['criterion', 'severity', 'evaluated', 'failed', 'fail rate', 'vs prev', 'overturned'],
          report.byCriterion.map((c) => [
            c.name, c.severity, String(c.evaluated), String(c.failed), pct(c.failRate), points(c.change), String(c.overturned),
          ]),
          ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
        ),
  );

  out.push('', 'Top failure reasons');
  if (report.topFailures.length === 0) out.push('(none)');
  report.topFailures.forEach((f, i) => {
    out.push(`${i + 1}. ${f.name} [${f.severity}] — ${f.failed} conversation(s), ${pct(f.share)} of scored`);
    if (f.example) out.push(`   e.g. ${f.example.conversationKey}: ${clip(f.example.note, 140)}`);
  });
  return out.join('\n');
}
