import path from 'node:path';
import { detectLanguage } from '../../../analysis/text/language.js';
import type { LoadedDocument, LoadedSection, RawSource } from '../types.js';

/** Plain text: one section; the first line is the title when it is short and followed by a blank line. */
export function loadPlainText(raw: RawSource, text = raw.bytes.toString('utf8'), kind: 'text' | 'pdf' = 'text', sections?: LoadedSection[]): LoadedDocument {
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim();
  const [first, second] = clean.split('\n');
  const titled = first !== undefined && first.trim().length > 0 && first.length <= 80 && (second === undefined || second.trim() === '');
  return {
    source: raw.source,
    kind,
    title: titled ? (first as string).trim() : path.basename(raw.name).replace(/\.[^.]+$/, ''),
    lang: detectLanguage(clean),
    tags: [],
    updatedAt: raw.lastModified,
    sections: sections ?? (clean ? [{ text: clean }] : []),
    faq: [],
  };
}
