import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseCsv } from '../../knowledge/csv.js';

/** One row of an export, before validation: its position (for the report) and its fields in the JSON shape. */
export interface RawCrmRow {
  /** CSV: line number in the file (the header is line 1). JSON: 1-based position in the array. */
  row: number;
  data: Record<string, unknown>;
}

export class CrmFileError extends Error {
  override readonly name = 'CrmFileError';
}

/** An empty consent cell means "no change", not "no consent". */
function setConsent(row: Record<string, unknown>, purpose: 'marketing' | 'service', value: string): void {
  if (value === '') return;
  const consent = (row.consent ??= {}) as Record<string, unknown>;
  consent[purpose] = value;
}

/** CSV column → JSON field. `attr.<name>` columns become attributes; anything else is a typo and stops the import. */
const CSV_COLUMNS: Record<string, (row: Record<string, unknown>, value: string) => void> = {
  crm_id: (r, v) => (r.crmId = v),
  name: (r, v) => (r.name = v),
  phone: (r, v) => (r.phone = v),
  email: (r, v) => (r.email = v),
  phone_hash: (r, v) => (r.phoneHash = v),
  email_hash: (r, v) => (r.emailHash = v),
  language: (r, v) => (r.language = v),
  timezone: (r, v) => (r.timezone = v),
  tier: (r, v) => (r.tier = v),
  tags: (r, v) => (r.tags = v),
  products: (r, v) => (r.productsOfInterest = v),
  marketing_consent: (r, v) => setConsent(r, 'marketing', v),
  service_consent: (r, v) => setConsent(r, 'service', v),
  wechat_id: (r, v) => (((r.identities ??= {}) as Record<string, unknown>).wechat = v),
  teams_id: (r, v) => (((r.identities ??= {}) as Record<string, unknown>).teams = v),
  web_id: (r, v) => (((r.identities ??= {}) as Record<string, unknown>).web = v),
  device_model: (r, v) => (r.deviceModel = v),
  device_purchased_at: (r, v) => (r.devicePurchasedAt = v),
};

function csvRows(text: string): RawCrmRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new CrmFileError('the CSV file is empty');
  const columns = header.map((h) => h.trim().toLowerCase());
  const unknown = columns.filter((c) => !CSV_COLUMNS[c] && !/^attr\.[a-z][a-z0-9_-]*$/i.test(c));
  if (unknown.length) throw new CrmFileError(`unknown column(s) ${unknown.map((c) => `"${c}"`).join(', ')}; known: ${Object.keys(CSV_COLUMNS).join(', ')}, attr.<name>`);
  if (!columns.includes('crm_id')) throw new CrmFileError('the CSV file has no crm_id column');
  // parseCsv drops blank lines, so line numbers are recounted from the raw text for the report.
  const lineNumbers = dataLineNumbers(text, rows.length);
  return rows.map((fields, i) => {
    const data: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      const value = (fields[j] ?? '').trim();
      if (c.startsWith('attr.')) {
        if (value !== '') ((data.attributes ??= {}) as Record<string, unknown>)[header[j]!.trim().slice(5)] = value;
      } else CSV_COLUMNS[c]!(data, value);
    });
    if (fields.length > columns.length) data.__extraFields = fields.length - columns.length;
    return { row: lineNumbers[i] ?? i + 2, data };
  });
}

/** Line numbers of the non-empty records after the header, counting quoted newlines as part of their record. */
function dataLineNumbers(text: string, count: number): number[] {
  const out: number[] = [];
  let line = 1;
  let quoted = false;
  let recordStart = 1;
  let recordHasText = false;
  let seenHeader = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i <= src.length; i++) {
    const ch = src[i];
    if (ch === '"') quoted = !quoted;
    if (ch === undefined || (!quoted && ch === '\n')) {
      if (recordHasText) {
        if (seenHeader) out.push(recordStart);
        seenHeader = true;
      }
      line += 1;
      recordStart = line;
      recordHasText = false;
      if (out.length >= count) break;
      continue;
    }
    if (ch === '\n') line += 1;
    if (ch !== '\r' && ch !== ',' && ch !== ' ') recordHasText = true;
  }
  return out;
}

function jsonRows(text: string): RawCrmRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CrmFileError(`not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' && Array.isArray((parsed as { customers?: unknown }).customers) ? (parsed as { customers: unknown[] }).customers : null;
  if (!list) throw new CrmFileError('expected a JSON array of customers, or {"customers": [...]}');
  return list.map((data, i) => ({ row: i + 1, data: data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { __notAnObject: data } }));
}

/** Reads a CRM export (`.csv` or `.json`); file-level problems throw, row-level ones are left to validation. */
export function readCrmFile(path: string): RawCrmRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CrmFileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return csvRows(text);
  if (ext === '.json') return jsonRows(text);
  throw new CrmFileError(`unsupported file type "${ext || '(none)'}": use .csv or .json`);
}
