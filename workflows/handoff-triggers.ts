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

// "不用转人工" / "no need for an agent": the customer says the opposite, and handing off would take the bot away from
// someone who is happy with it.
const ZH_DECLINED = /(不用|不要|不需要|无需|無需|不必|没必要|沒必要|别|別|不想|不再)[\s再了]*(给我|給我)?(转|轉|找|接|要)?(人工|真人|客服人员|客服人員)/;
const EN_DECLINED =
  /\b(?:no need (?:for|to (?:talk|speak|chat) (?:to|with))|(?:do not|don't|dont|won't|will not|doesn't|does not) (?:need|want|have)(?: to (?:talk|speak|chat) (?:to|with))?|without)\s+(?:(?:a|an|the|any)\s+)?(?:(?:real|live|human)\s+)?(?:human|person|agent|representative|operator)\b/i;

/**
 * `declines` (on in conversations started after the `human-request-negation` patch): a request that the customer
 * negates in the same message is not one.
 */
export function asksForHuman(text: string, opts: { declines?: boolean } = {}): boolean {
  const t = text.trim();
  if (t.length === 0 || t.length > 200) return false;
  if (opts.declines && (ZH_DECLINED.test(t) || EN_DECLINED.test(t))) return false;
  if (ZH.some((re) => re.test(t)) && !ZH_FALSE.test(t)) return true;
  return EN_ALONE.test(t) || EN_PHRASE.some((re) => re.test(t));
}

/** Cheap language guess for notices before the answerer has seen any message. */
export function guessLanguage(text: string): Language {
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}
