/**
 * Retires a scored blind set (or a batch of new training messages) into labelled.jsonl: a stratified ~20%
 * goes to `holdout`, the rest to `dev`. The split is a pure function of each text's hash, so re-running
 * the fold gives the same sets and nobody picks which messages land where.
 *
 *   npx tsx bench/risk-fold.ts <file.jsonl> --note "from blind set 3 (…)" [--holdout 0.2]
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules } from '../analysis/risk/rules.js';
import type { LabelledExample as Row } from './risk-metrics.js';
import { INSPECTABLE_SPLITS, LABELLED_PATH, loadExamples, loadIncomingExamples } from './risk-sets.js';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** Stratum = language × first category (or "none"), so each split keeps the set's mix. */
const stratum = (row: Row) => `${row.lang}:${[...row.categories].sort()[0] ?? 'none'}`;

export function foldRows(incoming: Row[], existing: Row[], note: string, holdoutShare: number): { rows: Row[]; skipped: number } {
  const known = new Set(existing.map((r) => r.text.trim()));
  const fresh = incoming.filter((r) => !known.has(r.text.trim()));
  const byStratum = new Map<string, Row[]>();
  for (const row of fresh) byStratum.set(stratum(row), [...(byStratum.get(stratum(row)) ?? []), row]);
  const holdout = new Set<Row>();
  for (const rows of byStratum.values()) {
    const ordered = [...rows].sort((a, b) => hash(a.text).localeCompare(hash(b.text)));
    ordered.slice(0, Math.round(rows.length * holdoutShare)).forEach((r) => holdout.add(r));
  }
  const rows = fresh.map((r) => ({
    text: r.text,
    lang: r.lang,
    categories: r.categories,
    note: r.note ? `${r.note}; ${note}` : note,
    split: holdout.has(r) ? ('holdout' as const) : ('dev' as const),
  }));
  return { rows, skipped: incoming.length - fresh.length };
}

/** The file's existing line style (`"key": value, …`), so a fold appends lines that look like the rest. */
const formatRow = (r: Row) =>
  `{"text": ${JSON.stringify(r.text)}, "lang": "${r.lang}", "categories": [${r.categories.map((c) => JSON.stringify(c)).join(', ')}], ` +
  `"note": ${JSON.stringify(r.note)}, "split": "${r.split}"}`;

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { note: { type: 'string' }, holdout: { type: 'string', default: '0.2' } },
  });
  const [file] = positionals;
  if (!file || !values.note) {
    console.error('usage: npx tsx bench/risk-fold.ts <file.jsonl> --note "from blind set N (…)" [--holdout 0.2]');
    process.exit(2);
  }
  const existing = loadExamples(LABELLED_PATH, INSPECTABLE_SPLITS);
  const categories = loadRiskRules(DEFAULT_RISK_RULES_PATH).categories.map((c) => c.name);
  const { rows, skipped } = foldRows(loadIncomingExamples(file, categories), existing, values.note, Number(values.holdout));
  const lines = rows.map(formatRow);
  if (lines.length > 0) writeFileSync(LABELLED_PATH, readFileSync(LABELLED_PATH, 'utf8').replace(/\n?$/, '\n') + lines.join('\n') + '\n');
  const toHoldout = rows.filter((r) => r.split === 'holdout').length;
  console.log(`folded ${rows.length} (${toHoldout} holdout, ${rows.length - toHoldout} dev); ${skipped} already present, skipped`);
}

try {
  main();
} catch (error) {
  // A bad incoming line is named by file and line; the fold writes nothing.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
