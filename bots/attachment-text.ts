import type { Attachment, Language } from '../core/domain.js';

const LABELS: Record<Language, Record<Attachment['kind'], string>> = {
  zh: { image: '图片', file: '文件', card: '卡片', other: '附件' },
  en: { image: 'image', file: 'file', card: 'card', other: 'attachment' },
};

/**
 * Stand-in text for a message that carries only attachments, e.g. "[图片]" or "[file: invoice.pdf]": the transcript,
 * the answer chain and agents then see that something was sent, while the bytes stay with the channel.
 */
export function attachmentPlaceholder(attachments: Attachment[], language: Language): string {
  return attachments
    .map((a) => {
      const label = LABELS[language][a.kind];
      if (!a.name) return `[${label}]`;
      return language === 'zh' ? `[${label}] ${a.name}` : `[${label}: ${a.name}]`;
    })
    .join(' ');
}

/** What a customer writes to reach a person; the conversation workflow recognises both. */
export const HANDOFF_TEXT: Record<Language, string> = { zh: '人工', en: 'agent' };
