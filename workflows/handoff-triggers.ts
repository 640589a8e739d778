import type { Language } from '../core/domain.js';

/**
 * Does the customer ask for a person? Pure text rules, safe in workflow code. Chinese: 人工 (but not 人工智能),
 * 真人, 客服人员…; English: "agent"/"human" said on their own, or "talk to a person"-style phrases, so a message that
 * merely mentions a travel agent does not hand off. Teams' "talk to a person" button arrives as 人工 / agent.
 */
const ZH = [/转人工|轉人工|人工客服|人工服务|人工服務|找人工|要人工|接人工/, /^[\s请請给給我要转轉找接]*人工[\s吧啊呀哦！!。.]*$/, /真人|客服人员|客服人員|活人/];
const ZH_FALSE = /人工智能|人工智慧|人工费|人工費|人工成本/;
const EN_ALONE = /^\s*(an?\s+)?(human|agent|person|representative|operator|live agent|real person|human agent)(\s+please)?\s*[.!?]*\s*$/i;
const EN_PHRASE = [
  /\b(talk|speak|chat|connect(?: me)?|transfer(?: me)?|put me through)\s+(to|with)\s+(a|an|the|some|your)?\s*(real\s+|live\s+|human\s+)?(human|person|agent|someone|somebody|representative|operator|people|staff)\b/i,
  /\b(real|live)\s+(person|human|agent)\b/i,
  /\bhuman\s+(agent|being|support)\b/i,
  /\b(i\s+)?(want|need)\s+(a|an|to\s+talk\s+to\s+an?)\s+(human|person|agent)\b/i,
];

export function asksForHuman(text: string): boolean {
  const t = text.trim();
  if (t.length === 0 || t.length > 200) return false;
  if (ZH.some((re) => re.test(t)) && !ZH_FALSE.test(t)) return true;
  return EN_ALONE.test(t) || EN_PHRASE.some((re) => re.test(t));
}

/** Cheap language guess for notices before the answerer has seen any message. */
export function guessLanguage(text: string): Language {
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}
