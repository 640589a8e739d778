import { randomUUID } from 'node:crypto';
import { FileBox } from 'file-box';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { types } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { conversationKey } from '../core/domain.js';
import { createEchoAnswerer } from './helpers/answerers.js';
import { eventually, startTestPlatform, type TestPlatform } from './helpers/platform.js';

/** The mock puppet, plus contacts that have blocked the bot account (sending to them fails as it does on WeChat). */
class BlockablePuppetMock extends PuppetMock {
  readonly blocked = new Set<string>();
  override async messageSendText(conversationId: string, text: string): Promise<void> {
    if (this.blocked.has(conversationId)) throw Object.assign(new Error('7 PERMISSION_DENIED: the contact has blocked you'), { code: 7 });
    return super.messageSendText(conversationId, text);
  }
}

interface Seen {
  text?: string;
  type: number;
  at: number;
}

const INTERVAL_MS = 300;
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('WeChat channel through wechaty (mock puppet)', () => {
  const mocker = new mock.Mocker();
  const puppet = new BlockablePuppetMock({ mocker });
  const echo = createEchoAnswerer();
  const bot = mocker.createContact({ name: 'kefu' });
  /** What the bot sent, by contact or room id. */
  const sent = new Map<string, Seen[]>();
  let p: TestPlatform;

  /** A customer (or room) whose chat records every message the bot sends into it. */
  function watched<T extends mock.ContactMock | mock.RoomMock>(target: T): T {
    sent.set(target.id, []);
    target.on('message', (m: mock.MessageMock) => {
      if (m.payload.talkerId === bot.id) sent.get(target.id)!.push({ text: m.payload.text, type: m.payload.type, at: Date.now() });
    });
    return target;
  }
  const customer = (name: string) => watched(mocker.createContact({ name }));
  const botMessages = (id: string, count: number) => eventually(async () => {
    const s = sent.get(id) ?? [];
    return s.length >= count ? s : undefined;
  }, 30_000, `${count} bot messages to ${id}`);
  const customerMessages = async (conversationId: string) =>
    (await p.store.listMessages(conversationKey('wechat', conversationId))).filter((m) => m.role === 'customer');

  beforeAll(async () => {
    p = await startTestPlatform({
      answerer: echo.answerer,
      env: { WECHATY_PUPPET: 'wechaty-puppet-mock' },
      channels: {
        wechat: {
          puppet,
          send: { perContactIntervalMs: INTERVAL_MS, jitterMs: 100, globalPerMinute: 6000, globalBurst: 50 },
          session: { restartInitialMs: 50, restartMaxMs: 200 },
        },
      },
    });
    mocker.scan('kefu-login-qr', types.ScanStatus.Waiting);
    mocker.login(bot);
    await eventually(async () => (p.channels.wechat?.session.status === 'online' ? true : undefined));
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when a contact messages the bot, then the reply arrives in their chat and the contact maps to a customer profile', async () => {
    const alice = customer('Alice');
    alice.say('Where is my parcel?').to(bot);
    const [reply] = await botMessages(alice.id, 1);
    expect(reply).toMatchObject({ type: types.Message.Text, text: 'answer to: Where is my parcel?\n\nTo talk to a person, reply "agent".' });

    const conversation = await p.store.getConversation(conversationKey('wechat', alice.id));
    expect(conversation).toMatchObject({ replyTarget: { kind: 'contact', contactId: alice.id }, language: 'en' });
    expect(await p.store.resolveCustomer('wechat', alice.id)).toBe(conversation!.customerId);
    // The bot's own reply came back as a message event too; it must not have become a conversation.
    expect(await p.store.getConversation(conversationKey('wechat', bot.id))).toBeNull();
    expect((await p.store.listMessages(conversation!.key)).map((m) => m.role)).toEqual(['customer', 'bot']);
  });

  it('when a room message does not @mention the bot, then it is ignored; with a mention, the mention is removed and the reply mentions the asker', async () => {
    const bob = mocker.createContact({ name: 'Bob' });
    const room = watched(mocker.createRoom({ topic: '售后群', memberIdList: [bot.id, bob.id] }));
    bob.say('大家好，有人在吗？').to(room);
    bob.say('@kefu\u2005我的账单怎么这么高？', [bot]).to(room);
    const [reply] = await botMessages(room.id, 1);
    expect(reply!.text).toMatch(/^@Bob[\s\u2005]answer to: 我的账单怎么这么高？\n\n如需人工服务，请回复“人工”。$/);
    // Messages of one person in a room are handled in order, so the unmentioned one would be stored first.
    expect((await customerMessages(`${room.id}/${bob.id}`)).map((m) => m.text)).toEqual(['我的账单怎么这么高？']);
    expect(await p.store.getConversation(conversationKey('wechat', `${room.id}/${bob.id}`))).toMatchObject({
      replyTarget: { kind: 'room', roomId: room.id, contactId: bob.id },
    });
  });

  it('when a contact sends an image and a file, then references are stored, not bytes', async () => {
    const carol = customer('Carol');
    carol.say(FileBox.fromBase64(PNG_1PX, 'receipt.png')).to(bot);
    // The mock only types files it recognises by extension; a document is built the way the mock builds messages.
    const fileMessageId = `file-${randomUUID()}`;
    mocker.cacheFileBoxPayload.set(fileMessageId, FileBox.fromBase64(Buffer.from('%PDF-1.4').toString('base64'), 'contract.pdf').toJSON());
    mocker.MessageMock.create({ id: fileMessageId, talkerId: carol.id, listenerId: bot.id, timestamp: Date.now(), type: types.Message.Attachment });
    puppet.emit('message', { messageId: fileMessageId });
    await botMessages(carol.id, 2);

    const rows = await p.store.db.query<{ channel_message_id: string; text: string; attachments: unknown }>(
      "SELECT channel_message_id, text, attachments FROM messages WHERE conversation_key = $1 AND role = 'customer' ORDER BY seq",
      [conversationKey('wechat', carol.id)]);
    const [image, file] = rows.rows;
    expect(image).toEqual({ channel_message_id: expect.any(String), text: '[图片]', attachments: [{ kind: 'image', ref: image!.channel_message_id }] });
    expect(file).toEqual({ channel_message_id: fileMessageId, text: '[文件] contract.pdf', attachments: [{ kind: 'file', name: 'contract.pdf', ref: fileMessageId }] });
    expect(JSON.stringify(rows.rows)).not.toContain(PNG_1PX.slice(0, 20));
  });

  it('when the same message event arrives twice, then it is answered once', async () => {
    const dan = customer('Dan');
    const first = new Promise<string>((resolve) => dan.once('message', (m: mock.MessageMock) => resolve(m.id)));
    dan.say('first question').to(bot);
    const firstId = await first;
    await botMessages(dan.id, 1);
    puppet.emit('message', { messageId: firstId });
    dan.say('second question').to(bot);
    const replies = await botMessages(dan.id, 2);
    expect(replies.map((r) => r.text?.split('\n')[0])).toEqual(['answer to: first question', 'answer to: second question']);
    expect((await customerMessages(dan.id)).map((m) => m.text)).toEqual(['first question', 'second question']);
  });

  it('when a contact sends a burst, then the replies are spaced by at least the per-contact interval', async () => {
    const erin = customer('Erin');
    for (const i of [1, 2, 3, 4]) erin.say(`question ${i}`).to(bot);
    const replies = await botMessages(erin.id, 4);
    expect(replies.map((r) => r.text?.split('\n')[0])).toEqual([1, 2, 3, 4].map((i) => `answer to: question ${i}`));
    const gaps = replies.slice(1).map((r, i) => r.at - replies[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS - 5);

    // Sends that do not wait for each other (outreach, agent relays) queue up the same way.
    const conversation = await p.store.getConversation(conversationKey('wechat', erin.id));
    const before = sent.get(erin.id)!.length;
    await Promise.all([1, 2, 3].map((i) => p.senders.wechat!.send(conversation!, { idempotencyKey: `burst:${i}`, text: `notice ${i}`, language: 'en', citations: [], offerHuman: false })));
    const notices = sent.get(erin.id)!.slice(before);
    expect(notices.map((n) => n.text)).toEqual(['notice 1', 'notice 2', 'notice 3']);
    expect(notices[0]!.at - replies[3]!.at).toBeGreaterThanOrEqual(INTERVAL_MS - 5);
    for (const [i, n] of notices.slice(1).entries()) expect(n.at - notices[i]!.at).toBeGreaterThanOrEqual(INTERVAL_MS - 5);
  });

  it('when the account is logged out, then the session restarts and the waiting reply is delivered once after the next login', async () => {
    const fay = customer('Fay');
    echo.hold();
    fay.say('is my parcel still coming?').to(bot);
    await eventually(async () => (echo.calls.includes('is my parcel still coming?') ? true : undefined));
    const restartsBefore = p.channels.wechat!.session.restarts;
    await puppet.logout();
    await eventually(async () => (p.channels.wechat!.session.restarts > restartsBefore ? true : undefined), 10_000, 'a session restart');
    echo.release();

    const [question] = await customerMessages(fay.id);
    const key = `reply:${question!.id}`;
    await eventually(async () => ((await p.store.getDelivery(key))?.lastError?.includes('not logged in') ? true : undefined), 20_000, 'a failed attempt');
    expect(sent.get(fay.id)).toEqual([]);
    mocker.login(bot);
    const replies = await botMessages(fay.id, 1);
    await eventually(async () => ((await p.store.getDelivery(key))?.status === 'sent' ? true : undefined));
    expect(replies).toHaveLength(1);
    expect((await p.store.getDelivery(key))!.attempts).toBeGreaterThanOrEqual(2);
    expect(p.channels.wechat!.session.status).toBe('online');
  });

  it('when the contact has blocked the account, then the delivery is marked failed and the conversation goes on', async () => {
    const gus = customer('Gus');
    puppet.blocked.add(gus.id);
    gus.say('hello').to(bot);
    const key = conversationKey('wechat', gus.id);
    const failed = await eventually(async () => {
      const d = (await p.store.listDeliveries(key))[0];
      return d?.status === 'failed' ? d : undefined;
    }, 20_000, 'a failed delivery');
    expect(failed.lastError).toMatch(/WeChat refused the message: .*blocked/);
    expect(failed.attempts).toBe(1);

    puppet.blocked.delete(gus.id);
    gus.say('where is my parcel again').to(bot);
    const [reply] = await botMessages(gus.id, 1);
    expect(reply!.text).toMatch(/^answer to: where is my parcel again/);
  });

  it('when an answer links an image, then the image is sent as a WeChat image after the text', async () => {
    const hal = customer('Hal');
    hal.say('map please ![store map](http://127.0.0.1:9/store-map.png)').to(bot);
    const [text, image] = await botMessages(hal.id, 2);
    expect(text).toMatchObject({ type: types.Message.Text, text: 'answer to: map please\n\nTo talk to a person, reply "agent".' });
    expect(image!.type).toBe(types.Message.Image);
  });
});
