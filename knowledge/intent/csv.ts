import { readFile } from 'node:fs/promises';

/**
 * RFC 4180 CSV: fields may be quoted, quotes inside quoted fields are doubled, quoted fields may span lines.
 * Ops teams export these files from spreadsheets, so we also accept a UTF-8 BOM and CRLF line ends.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldStarted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    row.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRow = () => {
    endField();
    // A blank line is not a record (spreadsheets often leave a trailing one).
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        field += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
    } else if (ch === ',') {
      endField();
    } else if (ch === '\n') {
      endRow();
    } else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRow();
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new Error('unterminated quoted field at end of file');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

export interface LabelledExample {
  text: string;
  category: string;
}

/**
 * Reads a `text,category` file. The header row is optional (recognised by its names, in either order);
 * rows with an empty text are skipped, an empty category is kept (it marks an out-of-scope example).
 */
export function parseLabelledCsv(content: string, source = 'CSV'): LabelledExample[] {
  const rows = parseCsv(content);
  let textCol = 0;
  let categoryCol = 1;
  let start = 0;
  const header = rows[0]?.map((h) => h.trim().toLowerCase());
  if (header && header.includes('text') && (header.includes('category') || header.includes('label') || header.includes('intent'))) {
    textCol = header.indexOf('text');
    categoryCol = ['category', 'label', 'intent'].map((n) => header.indexOf(n)).find((ix) => ix >= 0) ?? 1;
    start = 1;
  }
  const examples: LabelledExample[] = [];
  for (let r = start; r < rows.length; r++) {
    const row = rows[r] ?? [];
    if (row.length <= Math.max(textCol, categoryCol) && row.length < 2) {
      throw new Error(`${source} record ${r + 1}: expected two columns "text,category", got ${row.length}`);
    }
    const text = (row[textCol] ?? '').trim();
    if (!text) continue;
    examples.push({ text, category: (row[categoryCol] ?? '').trim() });
  }
  return examples;
}

export async function readLabelledCsv(file: string): Promise<LabelledExample[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseLabelledCsv(content, file);
}
