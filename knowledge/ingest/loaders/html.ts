import path from 'node:path';
import { detectLanguage } from '../../../analysis/text/language.js';
import type { LoadedDocument, RawSource } from '../types.js';
import { asDate, asLanguage, asTags, markdownSections } from './markdown.js';

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', yen: '¥', copy: '©' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return NAMED_ENTITIES[code.toLowerCase()] ?? whole;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[2] ?? m[3] ?? m[4] ?? '') : undefined;
}

function meta(html: string, names: string[]): string | undefined {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const key = (attribute(tag, 'name') ?? attribute(tag, 'property') ?? attribute(tag, 'http-equiv'))?.toLowerCase();
    if (key && names.includes(key)) return attribute(tag, 'content');
  }
  return undefined;
}

/**
 * HTML → Markdown-shaped text, enough for help-centre pages: headings stay headings (so sections work as for
 * Markdown), list items become "- ", table cells "|"-separated; scripts, styles, navigation and footers are dropped.
 */
export function htmlToMarkdown(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|template|svg|nav|footer|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<h([1-6])\b[^>]*>/gi, (_m, level: string) => `\n\n${'#'.repeat(Number(level))} `)
    .replace(/<\/h[1-6]\s*>/gi, '\n\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(td|th)\s*>/gi, ' | ')
    .replace(/<tr\b[^>]*>/gi, '\n| ')
    .replace(/<\/(p|div|section|article|main|ul|ol|table|tr|blockquote|pre|dl|dd|dt|header|aside|figure)\s*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function loadHtml(raw: RawSource): LoadedDocument {
  const html = raw.bytes.toString('utf8');
  const body = htmlToMarkdown(html);
  const { h1, sections } = markdownSections(body);
  const title = decodeEntities(/<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '').replace(/\s+/g, ' ').trim();
  const htmlTag = /<html\b[^>]*>/i.exec(html)?.[0];
  return {
    source: raw.source,
    kind: 'html',
    title: title || h1 || path.basename(raw.name).replace(/\.[^.]+$/, '') || raw.source,
    lang: asLanguage(htmlTag ? attribute(htmlTag, 'lang') : undefined) ?? detectLanguage(body),
    tags: asTags(meta(html, ['keywords'])),
    updatedAt: asDate(meta(html, ['last-modified', 'article:modified_time', 'dcterms.modified'])) ?? raw.lastModified,
    sections,
    faq: [],
  };
}
