import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

let jieba: Jieba | undefined;
const segmenter = () => (jieba ??= Jieba.withDict(dict));

const EN_STOP = new Set(['the', 'a', 'an', 'is', 'are', 'was', 'to', 'of', 'and', 'or', 'in', 'on', 'for', 'my', 'i', 'me', 'you',
  'your', 'it', 'do', 'does', 'can', 'how', 'what', 'with', 'be', 'this', 'that', 'at', 'by', 'from', 'please', 'have', 'has']);
const ZH_STOP = new Set(['的', '了', '吗', '呢', '是', '我', '你', '在', '和', '啊', '吧', '请问', '怎么', '一下', '有', '要', '这个', '那个', '能']);

/** Lower-cased search tokens: jieba words for Chinese runs, words for Latin text; stop-words dropped. */
export function tokenize(text: string): string[] {
  const normalised = text.normalize('NFKC').toLowerCase();
  const out: string[] = [];
  for (const part of normalised.match(/[\u3400-\u9fff]+|[a-z0-9]+(?:'[a-z]+)?/g) ?? []) {
    if (/^[a-z0-9]/.test(part)) {
      if (!EN_STOP.has(part)) out.push(part);
    } else {
      for (const w of segmenter().cutForSearch(part, true)) if (!ZH_STOP.has(w)) out.push(w);
    }
  }
  return out;
}
