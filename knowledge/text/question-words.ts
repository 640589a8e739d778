/**
 * Words that say what kind of answer a customer wants — a duration (多久, how long), an amount (多少, how much), a
 * place (哪里), a manner (怎么, 如何) — but nothing about the topic. Left in the index they are rare enough to carry a
 * high IDF, so "宽带坏了多久能修好" ranked the refund policy ("多久退款") first. They are removed from the text before
 * it is tokenised or featurised, for documents and queries alike; the answer composer reads the answer type from the
 * raw question instead (extractive.ts, ANSWER_SHAPES).
 *
 * Chinese: matched as substrings before jieba, replaced by a space so the words around them segment on their own.
 * English: the question-word stop-list in keywords.ts already drops "how", "what", "when"…; what remains is the
 * adverb of a "how long / how much" phrase, which is topic-free only in that phrase ("long outages" keeps "long").
 */
const ZH_QUESTION_WORDS = [
  '什么时候', '多长时间', '可不可以', '什么样', '为什么', '怎么样', '怎么办', '能不能', '是不是', '有没有', '要不要', '会不会',
  '行不行', '好不好', '多少', '多久', '多长', '多大', '多快', '多远', '什么', '为啥', '怎么', '怎样', '咋办', '咋整', '咋样', '如何',
  '何时', '哪里', '哪儿', '哪些', '哪个', '是否', '能否', '请问', '咋', '啥', '哪', '几(?!乎)', '吗', '呢', '吧', '呀', '嘛',
];
const ZH_PATTERN = new RegExp(ZH_QUESTION_WORDS.join('|'), 'g');
const EN_PATTERN = /\bhow\s+(long|much|many|soon|often|quickly|fast|far)\b/gi;

/** The text without question words (zh) and "how long"-type phrases (en); run on simplified Chinese. */
export function stripQuestionWords(text: string): string {
  return text.replace(EN_PATTERN, ' ').replace(ZH_PATTERN, ' ');
}
