import { ActivityTypes, CardFactory, type Activity } from 'botbuilder';
import type { Citation, Language } from '../../core/domain.js';

const TEXT = {
  zh: {
    sources: '参考来源',
    handoff: '转人工',
    welcome: '您好！我是智能客服，可以回答订单、物流、账单等问题。直接输入您的问题即可；需要人工服务时，请点击“转人工”或输入“人工”。',
  },
  en: {
    sources: 'Sources',
    handoff: 'Talk to a person',
    welcome: "Hi! I'm the support assistant. Ask me about orders, deliveries or billing. To reach a person, press \"Talk to a person\" or type \"agent\".",
  },
} satisfies Record<Language, Record<string, string>>;

const LOCALE: Record<Language, string> = { zh: 'zh-CN', en: 'en-US' };

const isLink = (source: string) => /^https?:\/\//i.test(source);
/** Adaptive Card TextBlocks render a markdown subset; brackets in titles would break link syntax. */
const escapeLinkText = (s: string) => s.replace(/[[\]]/g, '');

function citationLine(c: Citation): string {
  const title = c.section ? `${c.title} · ${c.section}` : c.title;
  return isLink(c.source) ? `[${c.index}] [${escapeLinkText(title)}](${c.source})` : `[${c.index}] ${title} (${c.source})`;
}

/** An answer as an Adaptive Card: the text, the sources it was built from, and a button that asks for a person. */
export function answerCard(input: { text: string; citations: Citation[]; language: Language; offerHuman: boolean }) {
  const t = TEXT[input.language];
  const body: Record<string, unknown>[] = [{ type: 'TextBlock', text: input.text, wrap: true }];
  if (input.citations.length > 0) {
    body.push({ type: 'TextBlock', text: t.sources, weight: 'Bolder', size: 'Small', spacing: 'Medium', separator: true });
    for (const c of input.citations) body.push({ type: 'TextBlock', text: citationLine(c), wrap: true, size: 'Small', isSubtle: true, spacing: 'None' });
  }
  const actions = input.offerHuman ? [{ type: 'Action.Submit', title: t.handoff, data: { action: 'handoff' } }] : [];
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4', body, actions };
}

export function answerActivity(input: Parameters<typeof answerCard>[0]): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    locale: LOCALE[input.language],
    // Shown in notifications and the chat list, where a card has no text of its own.
    summary: input.text.length > 120 ? `${input.text.slice(0, 119)}…` : input.text,
    attachments: [CardFactory.adaptiveCard(answerCard(input))],
  };
}

export function welcomeText(language: Language): string {
  return TEXT[language].welcome;
}

export function welcomeActivity(language: Language): Partial<Activity> {
  return { type: ActivityTypes.Message, text: welcomeText(language), locale: LOCALE[language] };
}
