import { types, type Message } from 'wechaty';
import type { Attachment, InboundMessage } from '../../core/domain.js';
import { detectLanguage } from '../../analysis/text/language.js';
import { attachmentPlaceholder } from '../attachment-text.js';

/** Where a reply goes: the contact's chat, or the room with the asker @mentioned. Stored as the conversation's reply target. */
export type WechatTarget = { kind: 'contact'; contactId: string } | { kind: 'room'; roomId: string; contactId: string };

/** One conversation per contact, and per contact within a room, so room members never share a customer profile. */
export function conversationIdFor(target: WechatTarget): string {
  return target.kind === 'room' ? `${target.roomId}/${target.contactId}` : target.contactId;
}

async function fileName(message: Message): Promise<string | undefined> {
  try {
    // Puppets hand out lazy file boxes: the name is known without downloading the file.
    return (await message.toFileBox()).name || undefined;
  } catch {
    return undefined;
  }
}

/** Text and attachment references of a message; null for kinds the bot does not handle (stickers, transfers…). */
async function contentOf(message: Message, inRoom: boolean): Promise<{ text: string; attachments: Attachment[] } | null> {
  const ref = message.id;
  switch (message.type()) {
    case types.Message.Text:
      return { text: (inRoom ? await message.mentionText() : message.text()).trim(), attachments: [] };
    case types.Message.Image:
      return { text: '', attachments: [{ kind: 'image', ref }] };
    case types.Message.Attachment:
      return { text: '', attachments: [{ kind: 'file', name: await fileName(message), ref }] };
    case types.Message.Video:
    case types.Message.Audio:
      return { text: '', attachments: [{ kind: 'other', name: await fileName(message), ref, contentType: message.type() === types.Message.Video ? 'video' : 'audio' }] };
    case types.Message.Url: {
      const link = await message.toUrlLink();
      return { text: `${link.title()} ${link.url()}`.trim(), attachments: [] };
    }
    default:
      return null;
  }
}

/**
 * Maps a wechaty message to the channel-neutral inbound message, or null when the bot should not react: its own
 * messages, room messages that do not @mention it, and message kinds it cannot use.
 */
export async function toInboundMessage(message: Message): Promise<InboundMessage | null> {
  if (message.self()) return null;
  const room = message.room();
  if (room && !(await message.mentionSelf())) return null;
  const talker = message.talker();
  const content = await contentOf(message, !!room);
  if (!content || (!content.text && content.attachments.length === 0)) return null;

  const target: WechatTarget = room ? { kind: 'room', roomId: room.id, contactId: talker.id } : { kind: 'contact', contactId: talker.id };
  // WeChat users write mostly Chinese; an attachment-only message gets a Chinese placeholder and no language claim.
  const language = content.text ? detectLanguage(content.text, 'zh') : undefined;
  return {
    channel: 'wechat',
    conversationId: conversationIdFor(target),
    customerId: talker.id,
    messageId: message.id,
    text: content.text || attachmentPlaceholder(content.attachments, 'zh'),
    language,
    attachments: content.attachments.length ? content.attachments : undefined,
    receivedAt: message.date().toISOString(),
    replyTarget: target,
    displayName: talker.name() || undefined,
  };
}
