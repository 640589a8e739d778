import type { Language } from '../../core/domain.js';

/** Said when no passage is good enough: offer a person rather than guess. */
export const HANDOFF_MESSAGE: Record<Language, string> = {
  zh: '抱歉，这个问题我在帮助资料里没有找到可靠的答案。我可以为您转接人工客服，请回复“人工”。',
  en: "Sorry, I couldn't find a reliable answer to that in our help articles. I can connect you with a member of our team — just reply \"agent\".",
};

/** Opens an extractive answer, so the customer knows the sentences are quoted from help articles. */
export const EXTRACTIVE_LEAD: Record<Language, string> = {
  zh: '根据我们的帮助资料：',
  en: 'Here is what our help articles say:',
};

export const LANGUAGE_NAME: Record<Language, string> = { zh: 'Chinese', en: 'English' };
