import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../core/db/migrate.js';
import type { Db } from '../core/db/types.js';
import type { InboundMessage } from '../core/domain.js';
import { createStore, type Store } from '../core/store/index.js';
import { DATABASES, openTestDatabase } from './helpers/databases.js';

const inbound = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'web',
  conversationId: 'conv-1',
  customerId: 'cust-1',
  messageId: 'msg-1',
  text: '你好，我想查询账单',
  language: 'zh',
  receivedAt: new Date().toISOString(),
  ...over,
});

describe.each(DATABASES)('storage on %s', (kind) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = createStore(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when migrations run again, then nothing is re-applied and each version is recorded once', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.rows.map((r) => r.version)).toEqual(listMigrations().map((m) => m.version));
  });

  it('when a migration fails, then its changes roll back and it is not recorded', async () => {
    const broken = [{ version: 9999, name: '9999_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' }];
    await expect(migrate(db, broken)).rejects.toThrow();
    const table = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(table.rows).toHaveLength(0);
    const recorded = await db.query('SELECT 1 FROM schema_migrations WHERE version = 9999');
    expect(recorded.rows).toHaveLength(0);
  });

  it('when an inbound message is recorded, then customer, identity, conversation and message exist', async () => {
    const r = await store.recordInbound(inbound({ conversationId: 'c-record', messageId: 'm-record' }));
    expect(r.inserted).toBe(true);
    expect(r.dispatched).toBe(false);
    expect(r.conversation).toMatchObject({ key: 'conv:web:c-record', channel: 'web', status: 'bot', language: 'zh' });
    const messages = await store.listMessages('conv:web:c-record');
    expect(messages.map((m) => [m.role, m.text])).toEqual([['customer', '你好，我想查询账单']]);
    expect(await store.resolveCustomer('web', 'cust-1')).toBe(r.conversation.customerId);
  });

  it('when the same channel message id arrives twice, including concurrently, then it is stored once', async () => {
    const m = inbound({ conversationId: 'c-dup', messageId: 'm-dup' });
    const results = await Promise.all([store.recordInbound(m), store.recordInbound(m), store.recordInbound(m)]);
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(await store.listMessages('conv:web:c-dup')).toHaveLength(1);
  });

  it('when a message is marked dispatched, then it leaves the undispatched list', async () => {
    const r = await store.recordInbound(inbound({ conversationId: 'c-disp', messageId: 'm-disp' }));
    expect((await store.listUndispatched(0)).map((m) => m.id)).toContain(r.message.id);
    await store.markDispatched(r.message.id);
    expect((await store.listUndispatched(0)).map((m) => m.id)).not.toContain(r.message.id);
    const again = await store.recordInbound(inbound({ conversationId: 'c-disp', messageId: 'm-disp' }));
    expect(again).toMatchObject({ inserted: false, dispatched: true });
  });

  it('when a delivery is claimed twice after being sent, then the second claim sees it as sent', async () => {
    const r = await store.recordInbound(inbound({ conversationId: 'c-del', messageId: 'm-del' }));
    const first = await store.beginDelivery('reply:x1', r.conversation.key, 'web');
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    await store.recordDeliveryError('reply:x1', 'HTTP 503', false);
    expect(await store.beginDelivery('reply:x1', r.conversation.key, 'web')).toMatchObject({ status: 'pending', attempts: 2, lastError: 'HTTP 503' });
    await store.completeDelivery('reply:x1', null);
    expect(await store.beginDelivery('reply:x1', r.conversation.key, 'web')).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('when a delivery fails permanently, then it is recorded as failed and stays failed', async () => {
    const r = await store.recordInbound(inbound({ conversationId: 'c-fail', messageId: 'm-fail' }));
    await store.beginDelivery('reply:x2', r.conversation.key, 'teams');
    await store.recordDeliveryError('reply:x2', 'HTTP 403 blocked', true);
    expect(await store.getDelivery('reply:x2')).toMatchObject({ status: 'failed', lastError: 'HTTP 403 blocked' });
  });

  it('when a closed conversation gets a new message, then it reopens', async () => {
    const r = await store.recordInbound(inbound({ conversationId: 'c-reopen', messageId: 'm-r1' }));
    await store.setConversationStatus(r.conversation.key, 'closed', 'idle_timeout');
    expect(await store.getConversation(r.conversation.key)).toMatchObject({ status: 'closed', closeReason: 'idle_timeout' });
    const again = await store.recordInbound(inbound({ conversationId: 'c-reopen', messageId: 'm-r2' }));
    expect(again.conversation).toMatchObject({ status: 'bot', closedAt: null, closeReason: null });
  });

  it('when two customers first write at the same moment on one identity, then one customer record wins', async () => {
    const ids = await Promise.all([1, 2, 3].map((i) => store.recordInbound(inbound({ customerId: 'race', conversationId: `c-race-${i}`, messageId: `m-race-${i}` }))));
    expect(new Set(ids.map((r) => r.conversation.customerId)).size).toBe(1);
  });
});
