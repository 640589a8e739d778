const cellsOf = (row: string) => row.replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

/**
 * Passage text as a customer should read it, and cut into sentences for the extractive answer. Markdown tables
 * become one line per row: "cell: cell" for two columns; with more columns each value is named by its column header
 * ("Urban areas: Technician contacts you: Within 2 hours; Fault fixed: Within 24 hours"), since a bare "Within 2
 * hours; Within 24 hours" quoted alone says nothing. Emphasis and link syntax disappear, headings and rules are dropped.
 */
export function markdownToPlain(markdown: string): string {
  const lines: string[] = [];
  let previousWasTableRow = false;
  let header: string[] | undefined;
  let previousRow = '';
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    if (line === '' || /^#{1,6}\s/.test(line) || /^([-*_])\1{2,}$/.test(line)) {
      lines.push('');
      previousWasTableRow = false;
      header = undefined;
      continue;
    }
    if (/^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$/.test(line)) {
      // A separator row: the row above it is the header ("Situation | When"), not content.
      if (previousWasTableRow) {
        lines.pop();
        header = cellsOf(previousRow);
      }
      previousWasTableRow = false;
      continue;
    }
    previousWasTableRow = line.startsWith('|');
    previousRow = line;
    if (!previousWasTableRow) header = undefined;
    let text = line;
    if (text.startsWith('|')) {
      const all = cellsOf(text);
      const cells = all.filter(Boolean);
      // A comma, not "; ": the sentence splitter cuts at semicolons, and a row must stay one sentence.
      const comma = /\p{Script=Han}/u.test(text) ? '，' : ', ';
      if (header && header.length > 2 && all.length === header.length && cells.length > 1) {
        const named = all.slice(1).map((c, i) => (c ? `${header?.[i + 1] ?? ''}: ${c}` : '')).filter(Boolean);
        text = `${all[0]}: ${named.join(comma)}`;
      } else {
        text = cells.length > 1 ? `${cells[0]}: ${cells.slice(1).join(comma)}` : (cells[0] ?? '');
      }
    }
    text = text
      .replace(/^>\s?/, '')
      .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/(\*\*|__)(.+?)\1/g, '$2')
      .replace(/(^|[^*\w])[*_]([^*_\n]+)[*_](?=[^*\w]|$)/g, '$1$2')
      .replace(/`([^`]+)`/g, '$1');
    lines.push(text);
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Sentences in reading order. Chinese ends sentences with 。！？； (no space after); English with . ! ? followed by a
 * space. A list item or table row is a sentence of its own.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    // English: split after . ! ? followed by whitespace; Chinese: after 。！？；…
    const parts = trimmed.split(/(?<=[。！？；…])|(?<=[.!?;])\s+(?=\S)/u);
    for (const part of parts) {
      const s = part.trim();
      if (s.length > 0) out.push(s);
    }
  }
  return out;
}
