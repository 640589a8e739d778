import type { Citation, Language } from '../../core/domain.js';
import { HANDOFF_TEXT } from '../attachment-text.js';

const TEXT = {
  zh: { sources: '参考来源：', handoff: `如需人工服务，请回复“${HANDOFF_TEXT.zh}”。` },
  en: { sources: 'Sources:', handoff: `To talk to a person, reply "${HANDOFF_TEXT.en}".` },
} satisfies Record<Language, Record<string, string>>;

/** Markdown images in an answer (`![alt](https://…)`) are sent as WeChat images; WeChat shows no markdown. */
const MARKDOWN_IMAGE = /!\[[^\]]*\]\((https?:\/\/[^\s)]+)\)/g;

export interface WechatReply {
  text: string;
  imageUrls: string[];
}

function citationLine(c: Citation): string {
  const title = c.section ? `${c.title} · ${c.section}` : c.title;
  return `[${c.index}] ${title}${c.source ? ` ${c.source}` : ''}`;
}

/**
 * A reply as WeChat can show it: plain text with the sources listed under the answer and, when a person can be
 * asked for, the word that does it (WeChat has no buttons for personal accounts).
 */
export function renderWechatReply(input: { text: string; citations: Citation[]; language: Language; offerHuman: boolean }): WechatReply {
  const t = TEXT[input.language];
  const imageUrls = [...input.text.matchAll(MARKDOWN_IMAGE)].map((m) => m[1] as string);
  const parts = [input.text.replace(MARKDOWN_IMAGE, '').replace(/\n{3,}/g, '\n\n').trim()];
  if (input.citations.length > 0) parts.push([t.sources, ...input.citations.map(citationLine)].join('\n'));
  if (input.offerHuman) parts.push(t.handoff);
  return { text: parts.filter(Boolean).join('\n\n'), imageUrls };
}
