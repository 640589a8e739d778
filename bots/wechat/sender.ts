import { FileBox } from 'file-box';
import type { Logger } from '../../core/logger.js';
import type { Conversation } from '../../core/store/index.js';
import { PermanentDeliveryError, type ChannelSender } from '../channel.js';
import { classifyWechatError } from './errors.js';
import type { WechatTarget } from './inbound.js';
import { renderWechatReply } from './outbound.js';
import type { WechatSendQueue } from './send-queue.js';
import type { WechatSession } from './session.js';

function targetOf(conversation: Conversation): WechatTarget {
  const t = conversation.replyTarget;
  if (t?.kind === 'contact' && typeof t.contactId === 'string') return { kind: 'contact', contactId: t.contactId };
  if (t?.kind === 'room' && typeof t.roomId === 'string' && typeof t.contactId === 'string') {
    return { kind: 'room', roomId: t.roomId, contactId: t.contactId };
  }
  throw new PermanentDeliveryError(`conversation ${conversation.key} has no WeChat reply target`);
}

/**
 * Sends replies to the contact's chat, or into the room with the asker @mentioned. Every WeChat message (the text,
 * then each image) takes its own place in the rate-limited queue of its contact or room.
 */
export function createWechatSender(deps: { session: WechatSession; queue: WechatSendQueue; logger: Logger }): ChannelSender {
  const { session, queue, logger } = deps;

  async function say(target: WechatTarget, content: string | FileBox): Promise<void> {
    const bot = session.ready();
    if (target.kind === 'room') {
      const room = await bot.Room.find({ id: target.roomId });
      if (!room) throw new PermanentDeliveryError(`WeChat room ${target.roomId} not found (bot removed from the room?)`);
      // The asker is mentioned when still known; a reply without the mention is better than none.
      const asker = await bot.Contact.find({ id: target.contactId }).catch(() => undefined);
      if (typeof content === 'string' && asker) await room.say(content, asker);
      else await room.say(content);
      return;
    }
    const contact = await bot.Contact.find({ id: target.contactId });
    if (!contact) throw new PermanentDeliveryError(`WeChat contact ${target.contactId} not found (deleted or blocked the account?)`);
    await contact.say(content);
  }

  return {
    channel: 'wechat',
    async send(conversation, message) {
      const target = targetOf(conversation);
      const line = target.kind === 'room' ? target.roomId : target.contactId;
      const reply = renderWechatReply({
        text: message.text,
        citations: message.citations,
        language: message.language,
        // Once a person is involved (or asked for), the hint is left out.
        offerHuman: (message.offerHuman ?? true) && conversation.status !== 'waiting_agent' && conversation.status !== 'with_agent',
      });
      const parts: { key: string; content: () => string | FileBox }[] = [];
      if (reply.text) parts.push({ key: message.idempotencyKey, content: () => reply.text });
      reply.imageUrls.forEach((url, i) => parts.push({ key: `${message.idempotencyKey}#image${i + 1}`, content: () => FileBox.fromUrl(url) }));
      try {
        // Parts already sent by an earlier attempt of this delivery are skipped by the queue.
        for (const part of parts) await queue.run(line, part.key, () => say(target, part.content()));
      } catch (err) {
        throw classifyWechatError(err);
      }
      logger.info({ conversation: conversation.key, idempotencyKey: message.idempotencyKey, parts: parts.length }, 'wechat message sent');
      return {};
    },
  };
}
