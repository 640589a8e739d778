import { Document } from '@langchain/core/documents';
import { RecursiveCharacterTextSplitter, type RecursiveCharacterTextSplitterParams } from '@langchain/textsplitters';
import type { Language } from '../../core/domain.js';
import type { ChunkMetadata } from '../store/types.js';
import type { LoadedDocument } from './types.js';

// Sentence ends. Chinese needs no space after 。！？；…, so these come before "，" and " " in the separator list.
const ZH_SENTENCE_ENDS = ['。', '！', '？', '；', '…'];
const EN_SENTENCE_ENDS = ['. ', '! ', '? ', '; '];
const SENTENCE_ENDS = new Set([...ZH_SENTENCE_ENDS, ...EN_SENTENCE_ENDS]);

/**
 * RecursiveCharacterTextSplitter whose sentence-ending separators stay at the end of the sentence they close
 * (LangChain's keepSeparator attaches a separator to the start of the next piece, which would begin a Chinese chunk
 * with "。").
 */
export class SentenceAwareTextSplitter extends RecursiveCharacterTextSplitter {
  static override lc_name() {
    return 'SentenceAwareTextSplitter';
  }

  protected override splitOnSeparator(text: string, separator: string): string[] {
    if (!SENTENCE_ENDS.has(separator)) return super.splitOnSeparator(text, separator);
    const escaped = separator.replace(/[/\-\\^$*+?.()|[\]{}]/g, '\\$&');
    return text.split(new RegExp(`(?<=${escaped})`)).filter((s) => s !== '');
  }
}

/** Markdown structure first (paragraphs, lines), then sentences, then clauses, then words or characters. */
const SEPARATORS: Record<Language, string[]> = {
  zh: ['\n\n', '\n', ...ZH_SENTENCE_ENDS, ...EN_SENTENCE_ENDS, '，', '、', ' ', ''],
  en: ['\n\n', '\n', ...EN_SENTENCE_ENDS, ...ZH_SENTENCE_ENDS, ', ', ' ', ''],
};

/** Sizes in characters: a Chinese character carries roughly what an English word does. */
const SIZES: Record<Language, Pick<RecursiveCharacterTextSplitterParams, 'chunkSize' | 'chunkOverlap'>> = {
  zh: { chunkSize: 320, chunkOverlap: 40 },
  en: { chunkSize: 900, chunkOverlap: 120 },
};

const splitters = new Map<Language, SentenceAwareTextSplitter>();
export function splitterFor(lang: Language): SentenceAwareTextSplitter {
  let s = splitters.get(lang);
  if (!s) {
    s = new SentenceAwareTextSplitter({ separators: SEPARATORS[lang], ...SIZES[lang] });
    splitters.set(lang, s);
  }
  return s;
}

/** Chunks of a loaded document with their metadata: prose split per section, one chunk per FAQ pair. */
export async function chunkDocument(doc: LoadedDocument, extraTags: string[] = []): Promise<Document<ChunkMetadata>[]> {
  const base = (lang: Language, tags: string[]) => ({
    source: doc.source,
    title: doc.title,
    lang,
    tags: [...new Set([...tags, ...extraTags])],
    kind: doc.kind,
    ...(doc.updatedAt ? { updated: doc.updatedAt } : {}),
    ...(doc.articleId ? { articleId: doc.articleId } : {}),
  });
  const chunks: Document<ChunkMetadata>[] = [];
  for (const section of doc.sections) {
    for (const piece of await splitterFor(doc.lang).splitText(section.text)) {
      const content = piece.trim();
      if (!content) continue;
      const metadata: ChunkMetadata = { ...base(doc.lang, doc.tags), ...(section.heading ? { section: section.heading } : {}), ord: chunks.length };
      chunks.push(new Document({ pageContent: content, metadata }));
    }
  }
  for (const pair of doc.faq) {
    const label = pair.lang === 'zh' ? { q: '问', a: '答' } : { q: 'Q', a: 'A' };
    const metadata: ChunkMetadata = {
      ...base(pair.lang, pair.tags.length > 0 ? pair.tags : doc.tags),
      // The question is what a citation should show, not the file name.
      title: pair.question,
      question: pair.question,
      answer: pair.answer,
      ord: chunks.length,
    };
    chunks.push(new Document({ pageContent: `${label.q}: ${pair.question}\n${label.a}: ${pair.answer}`, metadata }));
  }
  return chunks;
}
