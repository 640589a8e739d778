import type { Language } from '../../core/domain.js';

export interface SummaryMessage {
  role: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
}

const MAX_QUOTE = 140;

const clip = (t: string, n = MAX_QUOTE) => {
  const one = t.replace(/\s+/g, ' ').trim();
  return [...one].length <= n ? one : `${[...one].slice(0, n - 1).join('')}…`;
};

/**
 * How much a customer message tells an agent: concrete facts (order numbers, amounts, dates), questions and
 * complaints weigh more than greetings and one-word requests for a person.
 */
function informativeness(text: string): number {
  const t = text.trim();
  const length = Math.min([...t].length, 120) / 120;
  const facts = (t.match(/\d{3,}|[¥$€£]\s?\d|\d+\s?(元|块|天|days?|日|号|月)/gi)?.length ?? 0) * 0.6;
  const question = /[?？]|吗|怎么|为什么|為什麼|how|why|when|where|what/i.test(t) ? 0.4 : 0;
  const trouble = /没有|沒有|不能|无法|無法|错|錯|坏|壞|退|投诉|投訴|refund|broken|wrong|not|never|late|charged|cancel/i.test(t) ? 0.4 : 0;
  const filler = /^(你好|您好|hi|hello|hey|人工|转人工|agent|human|谢谢|thanks?)[\s!！.。]*$/i.test(t) ? -2 : 0;
  return length + facts + question + trouble + filler;
}

/**
 * Summary without a model: the customer's most informative messages in order, plus what the bot could not answer.
 * Deterministic and offline, so a handoff card always has one.
 */
export function extractiveSummary(messages: SummaryMessage[], language: Language): string {
  const customer = messages.map((m, i) => ({ ...m, i })).filter((m) => m.role === 'customer' && m.text.trim().length > 0);
  if (customer.length === 0) return language === 'zh' ? '客户尚未描述问题。' : 'The customer has not described the issue yet.';
  const top = [...customer]
    .sort((a, b) => informativeness(b.text) - informativeness(a.text) || b.i - a.i)
    .slice(0, 3)
    .filter((m, idx) => idx === 0 || informativeness(m.text) > 0)
    .sort((a, b) => a.i - b.i);
  const botFailures = messages.filter((m) => m.role === 'bot' && /没有找到|沒有找到|couldn't find|could not find|转接人工|reply "agent"/i.test(m.text)).length;
  const quotes = top.map((m) => `“${clip(m.text)}”`);
  if (language === 'zh') {
    const tail = botFailures > 0 ? `机器人有 ${botFailures} 次未能回答。` : '';
    return `客户说：${quotes.join(' … ')}（共 ${customer.length} 条客户消息）。${tail}`;
  }
  const tail = botFailures > 0 ? ` The bot could not answer ${botFailures} time${botFailures > 1 ? 's' : ''}.` : '';
  return `Customer wrote: ${quotes.join(' … ')} (${customer.length} customer message${customer.length > 1 ? 's' : ''}).${tail}`;
}
