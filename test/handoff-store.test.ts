import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../core/db/types.js';
import { createStore, type NewHandoff, type Store } from '../core/store/index.js';
import { DATABASES, openTestDatabase } from './helpers/databases.js';

describe.each(DATABASES)('handoff storage on %s', (kind) => {
  let db: Db;
  let store: Store;
  let n = 0;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = createStore(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function newHandoff(over: Partial<NewHandoff> = {}): Promise<string> {
    n += 1;
    const recorded = await store.recordInbound({
      channel: 'web', conversationId: `hs-${n}`, customerId: `c-${n}`, messageId: `m-${n}`, text: '人工', receivedAt: new Date().toISOString(),
    });
    const id = `h-${kind}-${n}`;
    await store.insertHandoff({ id, workflowId: `handoff:${recorded.conversation.key}`, conversationKey: recorded.conversation.key, status: 'waiting', queue: 'q1', priority: 0, reason: 'test', riskFlags: [], ...over });
    return id;
  }

  it('when handoffs wait in a queue, then the position follows priority, then time in the queue', async () => {
    const a = await newHandoff();
    await store.markHandoffQueued(a, 'q1');
    const b = await newHandoff();
    await store.markHandoffQueued(b, 'q1');
    const urgent = await newHandoff({ priority: 2 });
    await store.markHandoffQueued(urgent, 'q1');
    expect(await store.handoffQueuePosition(urgent)).toEqual({ position: 1, waiting: 3 });
    expect(await store.handoffQueuePosition(a)).toEqual({ position: 2, waiting: 3 });
    expect(await store.handoffQueuePosition(b)).toEqual({ position: 3, waiting: 3 });

    await store.markHandoffClaimed(urgent, { id: 'U1', name: 'Li' });
    expect(await store.handoffQueuePosition(b)).toEqual({ position: 2, waiting: 2 });
    expect(await store.handoffQueuePosition(urgent)).toBeNull();
    expect(await store.recentClaimWaitMs('q1')).toBeGreaterThanOrEqual(0);
    expect(await store.recentClaimWaitMs('empty-queue')).toBeNull();
    expect((await store.listHandoffs({ agentId: 'U1' })).map((h) => h.id)).toEqual([urgent]);
  });

  it('when a handoff ends, then later status changes do not reopen it', async () => {
    const id = await newHandoff();
    await store.markHandoffQueued(id, 'q1');
    await store.markHandoffEnded(id, 'resolved', 'Li');
    await store.markHandoffQueued(id, 'q2');
    await store.markHandoffClaimed(id, { id: 'U2', name: 'Bob' });
    expect(await store.getHandoff(id)).toMatchObject({ status: 'resolved', queue: 'q1', endedBy: 'Li', agentId: null });
  });

  it('when a card moves to another queue, then both its threads lead to the handoff', async () => {
    const id = await newHandoff();
    await store.setHandoffCard(id, { desk: 'slack', channel: 'C1', ts: '1.1' });
    await store.setHandoffCard(id, { desk: 'slack', channel: 'C2', ts: '2.2' });
    expect((await store.findHandoffByCard('slack', 'C1', '1.1'))?.id).toBe(id);
    expect(await store.findHandoffByCard('slack', 'C2', '2.2')).toMatchObject({ id, cardChannel: 'C2', cardTs: '2.2' });
    expect(await store.findHandoffByCard('slack', 'C9', '1.1')).toBeNull();
  });

  it('when the same agent message or Slack delivery is recorded twice, then the second is recognised', async () => {
    const id = await newHandoff();
    const relay = { handoffId: id, sourceId: 'slack:C1:9.9', agentId: 'U1', agentName: 'Li', text: 'hi', deliveryKey: `agent:${id}:slack:C1:9.9` };
    expect(await store.recordAgentRelay(relay)).toBe(true);
    expect(await store.recordAgentRelay(relay)).toBe(false);
    expect(await store.listAgentRelays(id)).toHaveLength(1);
    expect(await store.isSlackEventProcessed(`event:Ev-${kind}`)).toBe(false);
    expect(await store.markSlackEventProcessed(`event:Ev-${kind}`, 'event')).toBe(true);
    expect(await store.markSlackEventProcessed(`event:Ev-${kind}`, 'event')).toBe(false);
    expect(await store.isSlackEventProcessed(`event:Ev-${kind}`)).toBe(true);
    await store.saveDeskPost('k1', { channel: 'C1', ts: '1.0' });
    await store.saveDeskPost('k1', { channel: 'C1', ts: '2.0' });
    expect(await store.getDeskPost('k1')).toEqual({ channel: 'C1', ts: '1.0' });
  });
});
