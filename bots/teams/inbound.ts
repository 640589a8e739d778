import { TurnContext, type Activity, type Attachment as BotAttachment } from 'botbuilder';
import type { Attachment, InboundMessage, Language } from '../../core/domain.js';
import { detectLanguage } from '../../analysis/text/language.js';
import { attachmentPlaceholder, HANDOFF_TEXT } from '../attachment-text.js';

/** Teams sends the typed text a second time as an HTML attachment; it is the same message, not a file. */
const IGNORED_CONTENT_TYPES = new Set(['text/html']);
const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The customer's language from the Teams client locale ("zh-cn", "zh-TW" → zh); undefined when not Chinese or English. */
export function localeLanguage(locale: string | undefined): Language | undefined {
  const l = locale?.toLowerCase();
  if (!l) return undefined;
  if (l.startsWith('zh')) return 'zh';
  if (l.startsWith('en')) return 'en';
  return undefined;
}

/** A direct chat with the bot; group chats and channels are shared spaces where the bot speaks only when mentioned. */
export function isPersonal(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  return type ? type === 'personal' : !activity.conversation?.isGroup;
}

/** The "Talk to a person" button of an answer card (Action.Submit posts its data back as the activity value). */
export function isHandoffSubmit(activity: Partial<Activity>): boolean {
  return isRecord(activity.value) && activity.value.action === 'handoff';
}

export function mentionsBot(activity: Partial<Activity>): boolean {
  const botId = activity.recipient?.id;
  return !!botId && TurnContext.getMentions(activity).some((m) => m.mentioned?.id === botId);
}

/** Stable per user across the tenant (the AAD object id) when Teams provides it, else the per-bot user id. */
export function customerIdOf(activity: Partial<Activity>): string | undefined {
  return str(activity.from?.aadObjectId) ?? str(activity.from?.id);
}

/**
 * Our conversation id. A personal chat is one conversation; in a channel thread or group chat each person gets their
 * own, so one customer's messages are never filed (and answered) under another customer's profile.
 */
export function conversationIdOf(activity: Partial<Activity>, customerId: string): string {
  const id = activity.conversation?.id ?? '';
  return isPersonal(activity) ? id : `${id}|${customerId}`;
}

/** Files and images are kept as references (content URL / Teams unique id), never downloaded. */
export function attachmentsOf(activity: Partial<Activity>): Attachment[] {
  return (activity.attachments ?? [])
    .filter((a: BotAttachment) => !IGNORED_CONTENT_TYPES.has(a.contentType))
    .map((a: BotAttachment): Attachment => {
      const content = isRecord(a.content) ? a.content : {};
      if (a.contentType === FILE_DOWNLOAD_INFO) {
        return { kind: 'file', name: str(a.name), contentType: str(content.fileType), ref: str(content.uniqueId) ?? str(a.contentUrl) };
      }
      if (a.contentType.startsWith('image/')) return { kind: 'image', name: str(a.name), contentType: a.contentType, ref: str(a.contentUrl) };
      if (a.contentType.startsWith('application/vnd.microsoft.card.')) return { kind: 'card', contentType: a.contentType };
      return { kind: 'other', name: str(a.name), contentType: a.contentType, ref: str(a.contentUrl) };
    });
}

/**
 * Maps a Teams message activity to the channel-neutral inbound message, or null when the bot should stay silent
 * (a channel message that does not @mention it, or an empty message).
 */
export function toInboundMessage(activity: Partial<Activity>, conversationLanguage?: Language | null): InboundMessage | null {
  const customerId = customerIdOf(activity);
  if (!customerId || !activity.conversation?.id || !activity.id) return null;
  const locale = localeLanguage(activity.locale);
  const base = {
    channel: 'teams' as const,
    conversationId: conversationIdOf(activity, customerId),
    customerId,
    // Activity ids are unique within a Teams conversation only.
    messageId: `${activity.conversation.id}/${activity.id}`,
    receivedAt: activity.timestamp ? new Date(activity.timestamp).toISOString() : new Date().toISOString(),
    replyTarget: { ...TurnContext.getConversationReference(activity) },
    displayName: str(activity.from?.name),
  };

  // The button is pressed without typing, and in a channel without a mention: it always counts.
  if (isHandoffSubmit(activity)) {
    const language = conversationLanguage ?? locale ?? 'en';
    return { ...base, text: HANDOFF_TEXT[language], language };
  }
  if (!isPersonal(activity) && !mentionsBot(activity)) return null;

  const raw = isPersonal(activity) ? (activity.text ?? '') : TurnContext.removeRecipientMention(activity);
  const text = raw.replace(/\u00a0/g, ' ').trim();
  const attachments = attachmentsOf(activity).filter((a) => a.kind !== 'card');
  if (!text && attachments.length === 0) return null;
  const language = text ? detectLanguage(text, locale ?? conversationLanguage ?? 'en') : (locale ?? conversationLanguage ?? undefined);
  return {
    ...base,
    text: text || attachmentPlaceholder(attachments, language ?? 'en'),
    language,
    attachments: attachments.length ? attachments : undefined,
  };
}
