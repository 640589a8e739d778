import type { ChannelSender } from '../channel.js';

/**
 * The REST/web channel has no push peer: the stored bot message *is* the delivery, read by polling or the SSE
 * stream. Storing happens in the deliver activity for every channel, so sending here is nothing more.
 */
export const webSender: ChannelSender = {
  channel: 'web',
  send: async () => ({}),
};
