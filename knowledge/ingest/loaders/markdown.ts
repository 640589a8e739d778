import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { detectLanguage } from '../../../analysis/text/language.js';
import type { Language } from '../../../core/domain.js';
import { LoadError, type LoadedDocument, type LoadedSection, type RawSource } from '../types.js';

interface FrontMatter {
  title?: unknown;
  lang?: unknown;
  tags?: unknown;
  updated?: unknown;
  id?: unknown;
}

function splitFrontMatter(text: string): { data: FrontMatter; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return { data: {}, body: text };
  let data: unknown;
  try {
    data = parseYaml(m[1] as string);
  } catch (err) {
    throw new LoadError(`invalid YAML front matter: ${(err as Error).message.split('\n')[0]}`);
  }
  return { data: typeof data === 'object' && data !== null ? (data as FrontMatter) : {}, body: text.slice(m[0].length) };
}

export function asLanguage(value: unknown): Language | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.toLowerCase();
  if (v.startsWith('zh')) return 'zh';
  if (v.startsWith('en')) return 'en';
  return undefined;
}

export function asTags(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,，;；]/) : [];
  return list.map((t) => String(t).trim().toLowerCase()).filter((t) => t.length > 0);
}

export function asDate(value: unknown): string | undefined {
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}

/**
 * Cuts Markdown into sections at headings, remembering the heading path (H1 is the title, not a section). Headings
 * inside fenced code blocks are text.
 */
export function markdownSections(body: string): { h1?: string; sections: LoadedSection[] } {
  const sections: LoadedSection[] = [];
  const path: string[] = [];
  let h1: string | undefined;
  let buffer: string[] = [];
  let fenced = false;
  const flush = () => {
    const text = buffer.join('\n').trim();
    if (text) sections.push({ heading: path.filter(Boolean).join(' › ') || undefined, text });
    buffer = [];
  };
  for (const line of body.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) {
      buffer.push(line);
      continue;
    }
    flush();
    const level = (heading[1] as string).length;
    const title = (heading[2] as string).trim();
    if (level === 1 && h1 === undefined) {
      h1 = title;
      path.length = 0;
      continue;
    }
    path.length = Math.max(0, level - 2);
    path[level - 2] = title;
  }
  flush();
  return { h1, sections };
}

export function loadMarkdown(raw: RawSource, text = raw.bytes.toString('utf8')): LoadedDocument {
  const { data, body } = splitFrontMatter(text.replace(/^\uFEFF/, ''));
  const { h1, sections } = markdownSections(body);
  const fmTitle = typeof data.title === 'string' || typeof data.title === 'number' ? String(data.title).trim() : undefined;
  return {
    source: raw.source,
    kind: 'markdown',
    title: fmTitle || h1 || path.basename(raw.name).replace(/\.[^.]+$/, ''),
    lang: asLanguage(data.lang) ?? detectLanguage(body),
    tags: asTags(data.tags),
    updatedAt: asDate(data.updated) ?? raw.lastModified,
    articleId: typeof data.id === 'string' || typeof data.id === 'number' ? String(data.id) : undefined,
    sections,
    faq: [],
  };
}
