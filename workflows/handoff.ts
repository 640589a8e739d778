import {
  ActivityFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { HandoffContext } from '../activities/handoff-assist.js';
import type { AgentRef, CardMessage, CardStatus, HandoffCard, ThreadPost } from '../bots/agent-desk.js';
import type { Citation } from '../core/domain.js';
import { businessHoursStatus } from './business-hours.js';
import {
  agentMessageUpdate,
  claimUpdate,
  handoffCustomerMessageSignal,
  handoffEndSignal,
  handoffEscalateSignal,
  handoffStateQuery,
  handoffStatusSignal,
  resolveUpdate,
  sendSuggestionUpdate,
  transferUpdate,
} from './handoff-api.js';
import { noticeText, type Notice } from './handoff-notices.js';
import { asksForHuman } from './handoff-triggers.js';
import type {
  DeskActionResult,
  DeskRefusal,
  HandoffCustomerMessage,
  HandoffInput,
  HandoffOutcome,
  HandoffRequest,
  HandoffState,
} from './handoff-types.js';
import type { TranscriptEntry } from './conversation-types.js';
import { activityProfiles } from './profiles.js';

const records = proxyActivities<Activities>(activityProfiles.bookkeeping);
// The card must reach the desk (retried until it does); everything else on the desk is best effort.
const { deskPostCard } = proxyActivities<Activities>(activityProfiles.desk);
const deskSend = proxyActivities<Activities>(activityProfiles.deliver);
const assist = proxyActivities<Activities>(activityProfiles.answer);
const { deliverReply } = proxyActivities<Activities>(activityProfiles.deliver);
const { giveUpDelivery } = proxyActivities<Activities>(activityProfiles.bookkeeping);

type HandoffEvent =
  | { type: 'customer'; msg: HandoffCustomerMessage }
  | { type: 'claimed'; agent: AgentRef }
  | { type: 'agent_message'; agent: AgentRef; sourceId: string; text: string; citations: Citation[]; fromSuggestion: boolean }
  | { type: 'transferred_queue'; by: AgentRef; from: string }
  | { type: 'transferred_agent'; by: AgentRef; to: AgentRef }
  | { type: 'resolved'; by: AgentRef }
  | { type: 'escalated'; request: HandoffRequest }
  | { type: 'end'; reason: string };

const OK: DeskActionResult = { ok: true };
const refuse = (reason: DeskRefusal, owner?: AgentRef): DeskActionResult => ({ ok: false, reason, ...(owner ? { owner } : {}) });
const RECENT_ON_CARD = 6;
const SUGGESTIONS_KEPT = 30;

/**
 * A conversation handed to people: queue → claim → two-way relay with agent assist → resolve, with SLA timers
 * (re-alert, supervisor, queue updates, idle agent) and business hours. Child of the conversation workflow; every
 * timer is a workflow timer and every fact lives in workflow state, so a worker restart changes nothing.
 */
export async function handoffWorkflow(input: HandoffInput): Promise<HandoffOutcome> {
  const s = input.settings;
  const id = input.handoffId;
  const state: HandoffState = { handoffId: id, status: 'preparing', queue: input.queue, priority: input.priority, riskFlags: [...input.riskFlags] };
  const events: HandoffEvent[] = [];
  const relayed = new Set<string>();
  const seenCustomer = new Set<string>();
  const suggestions = new Map<string, { text: string; citations: Citation[] }>();
  const history: TranscriptEntry[] = [...input.transcript];
  const buffered: HandoffCustomerMessage[] = [];
  const timers: { alert?: number; escalate?: number; position?: number; idle?: number } = {};
  let context: HandoffContext = { summary: '', summaryBy: 'extractive', lastMessages: [] };
  let recent: CardMessage[] = [];
  let outcome: HandoffOutcome | undefined;
  let cardGen = 0;
  let seq = 0;
  let lastToldPosition: number | undefined;
  let toldMessageKept = false;

  const terminal = () => state.status === 'resolved' || state.status === 'ended';
  const isOwner = (a: AgentRef) => state.agent?.id === a.id;
  const now = () => Date.now();
  const clearQueueTimers = () => {
    timers.alert = undefined;
    timers.escalate = undefined;
    timers.position = undefined;
  };

  // Handlers first: updates decide synchronously, so of two simultaneous claims exactly one sees 'waiting'.
  setHandler(handoffStateQuery, () => ({ ...state }));
  setHandler(handoffCustomerMessageSignal, (msg) => {
    if (!terminal()) events.push({ type: 'customer', msg });
  });
  setHandler(handoffEscalateSignal, (request) => {
    if (!terminal()) events.push({ type: 'escalated', request });
  });
  setHandler(handoffEndSignal, ({ reason }) => {
    if (terminal()) return;
    state.status = 'ended';
    events.push({ type: 'end', reason });
  });
  setHandler(claimUpdate, ({ handoffId, agent }) => {
    if (terminal() || handoffId !== id) return refuse('closed');
    if (state.status === 'claimed') return isOwner(agent) ? OK : refuse('already_claimed', state.agent);
    if (state.status !== 'waiting') return refuse('not_open');
    state.status = 'claimed';
    state.agent = agent;
    clearQueueTimers();
    events.push({ type: 'claimed', agent });
    return OK;
  });
  setHandler(agentMessageUpdate, ({ handoffId, agent, sourceId, text }) => {
    if (terminal() || handoffId !== id) return refuse('closed');
    if (state.status !== 'claimed') return refuse('claim_first');
    if (!isOwner(agent)) return refuse('not_owner', state.agent);
    if (!relayed.has(sourceId)) {
      relayed.add(sourceId);
      events.push({ type: 'agent_message', agent, sourceId, text, citations: [], fromSuggestion: false });
    }
    return OK;
  });
  setHandler(sendSuggestionUpdate, ({ handoffId, agent, suggestionId }) => {
    if (terminal() || handoffId !== id) return refuse('closed');
    if (state.status !== 'claimed') return refuse('claim_first');
    if (!isOwner(agent)) return refuse('not_owner', state.agent);
    const suggestion = suggestions.get(suggestionId);
    if (!suggestion) return refuse('unknown_suggestion');
    const sourceId = `suggestion:${suggestionId}`;
    if (!relayed.has(sourceId)) {
      relayed.add(sourceId);
      events.push({ type: 'agent_message', agent, sourceId, text: suggestion.text, citations: suggestion.citations, fromSuggestion: true });
    }
    return OK;
  });
  setHandler(transferUpdate, ({ handoffId, by, toQueue, toAgent }) => {
    if (terminal() || handoffId !== id) return refuse('closed');
    if (state.status !== 'waiting' && state.status !== 'claimed') return refuse('not_open');
    if (state.status === 'claimed' && !isOwner(by)) return refuse('not_owner', state.agent);
    if (toAgent) {
      state.status = 'claimed';
      state.agent = toAgent;
      clearQueueTimers();
      events.push({ type: 'transferred_agent', by, to: toAgent });
      return OK;
    }
    if (!toQueue || !s.queues.includes(toQueue)) return refuse('unknown_queue');
    const from = state.queue;
    state.status = 'waiting';
    state.queue = toQueue;
    state.agent = undefined;
    timers.idle = undefined;
    events.push({ type: 'transferred_queue', by, from });
    return OK;
  });
  setHandler(resolveUpdate, ({ handoffId, by }) => {
    if (terminal() || handoffId !== id) return refuse('closed');
    if (state.status === 'claimed' && !isOwner(by)) return refuse('not_owner', state.agent);
    if (state.status !== 'claimed' && state.status !== 'waiting') return refuse('not_open');
    state.status = 'resolved';
    events.push({ type: 'resolved', by });
    return OK;
  });

  const cardStatus = (): CardStatus =>
    state.status === 'claimed' ? 'claimed' : state.status === 'resolved' ? 'resolved' : state.status === 'ended' ? 'closed' : 'waiting';
  const buildCard = (over: Partial<HandoffCard> = {}): HandoffCard => ({
    handoffId: id,
    conversationKey: input.conversationKey,
    channel: input.channel,
    customer: { id: input.customerId, ...(context.customerName ? { name: context.customerName } : {}) },
    language: input.language,
    intent: input.intent,
    reason: input.reason,
    queue: state.queue,
    priority: state.priority,
    summary: context.summary,
    lastMessages: recent,
    riskFlags: state.riskFlags,
    status: cardStatus(),
    ...(state.agent ? { agent: state.agent } : {}),
    waitingSince: state.waitingSince ?? new Date(now()).toISOString(),
    ...over,
  });
  const remember = (entry: TranscriptEntry) => {
    history.push(entry);
    if (history.length > 50) history.splice(0, history.length - 50);
    if (entry.role !== 'system') recent = [...recent, { role: entry.role, text: entry.text, at: entry.at }].slice(-RECENT_ON_CARD);
  };

  async function bestEffort(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('handoff desk call failed; continuing', { what, handoffId: id, error: err.cause?.message ?? err.message });
    }
  }

  async function deliver(text: string, key: string, role: 'agent' | 'system', citations: Citation[] = []): Promise<void> {
    try {
      await deliverReply({ conversationKey: input.conversationKey, channel: input.channel, idempotencyKey: key, text, citations, language: input.language, role });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await giveUpDelivery({ idempotencyKey: key, error: err.cause?.message ?? err.message });
    }
  }
  const notify = (notice: Notice, suffix: string) => deliver(noticeText(notice, input.language), `handoff:${id}:${suffix}`, 'system');

  const updateCard = (over: Partial<HandoffCard> = {}) => {
    const ref = state.card;
    if (!ref) return Promise.resolve();
    const card = buildCard(over);
    return bestEffort('update card', () => deskSend.deskUpdateCard({ ref, card }));
  };
  const threadPost = (post: ThreadPost, suffix: string) => {
    const ref = state.card;
    if (!ref) return Promise.resolve();
    return bestEffort('thread post', () => deskSend.deskPostToThread({ key: `desk:${id}:${suffix}`, ref, post }));
  };

  /** Not awaited: the conversation's status is informational and must not delay the customer or the desk. */
  function signalParent(status: 'waiting_agent' | 'with_agent'): void {
    const parent = workflowInfo().parent;
    if (!parent) return;
    getExternalWorkflowHandle(parent.workflowId)
      .signal(handoffStatusSignal, { status })
      .catch((err: unknown) => log.warn('could not tell the conversation its status', { status, error: (err as Error).message }));
  }

  /** Drafts a reply from the knowledge base in the background, so relays never wait for the answer chain. */
  function startAssist(text: string): void {
    const suggestionId = `s${++seq}`;
    void (async () => {
      try {
        const draft = await assist.suggestReply({ text, language: input.language, history: history.slice(-10) });
        const ref = state.card;
        if (!draft || !ref || terminal()) return;
        suggestions.set(suggestionId, draft);
        if (suggestions.size > SUGGESTIONS_KEPT) suggestions.delete(suggestions.keys().next().value as string);
        await deskSend.deskPostSuggestion({
          key: `desk:${id}:suggestion:${suggestionId}`,
          ref,
          suggestion: { handoffId: id, suggestionId, text: draft.text, citations: draft.citations, forMessage: text },
        });
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('agent assist failed', { handoffId: id, error: err.cause?.message ?? err.message });
      }
    })();
  }

  const postCustomer = (msg: HandoffCustomerMessage) =>
    threadPost({ kind: 'customer', text: msg.text, author: context.customerName ?? input.customerId }, `customer:${msg.messageId}`);

  /** Into the (current) queue: position for the customer, a card for the agents, the queue's SLA clocks. */
  async function enterQueue(kind: 'queued' | 'transferred'): Promise<void> {
    cardGen += 1;
    const gen = cardGen;
    if (state.status === 'preparing' || state.status === 'after_hours') state.status = 'waiting';
    state.waitingSince = new Date(now()).toISOString();
    const place = await records.recordHandoffQueued({ handoffId: id, conversationKey: input.conversationKey, queue: state.queue, defaultWaitMs: s.defaultWaitMs });
    signalParent('waiting_agent');
    lastToldPosition = place?.position ?? 1;
    const position = lastToldPosition;
    const estimatedWaitMs = place?.estimatedWaitMs ?? s.defaultWaitMs;
    const notice: Notice = kind === 'queued'
      ? { kind: 'queued', position, estimatedWaitMs }
      : { kind: 'transferred_queue', queue: state.queue, position, estimatedWaitMs };
    const [ref] = await Promise.all([deskPostCard({ key: `desk:${id}:card:${gen}`, card: buildCard() }), notify(notice, `queued:${gen}`)]);
    state.card = ref;
    if (state.status === 'waiting') {
      const t = now();
      timers.alert = s.alertAfterMs > 0 ? t + s.alertAfterMs : undefined;
      timers.escalate = s.escalateAfterMs > 0 ? t + s.escalateAfterMs : undefined;
      timers.position = s.queueUpdateEveryMs > 0 ? t + s.queueUpdateEveryMs : undefined;
    }
    // What the customer wrote while there was no card (after hours), then a draft for their latest question.
    for (const m of buffered.splice(0)) await postCustomer(m);
    // A draft for the customer's latest real question ("人工" itself needs no answer).
    const lastQuestion = [...history].reverse().find((h) => h.role === 'customer' && !asksForHuman(h.text));
    if (kind === 'queued' && lastQuestion) startAssist(lastQuestion.text);
  }

  async function handle(ev: HandoffEvent): Promise<void> {
    switch (ev.type) {
      case 'customer': {
        if (seenCustomer.has(ev.msg.messageId)) return;
        seenCustomer.add(ev.msg.messageId);
        remember({ role: 'customer', text: ev.msg.text, at: ev.msg.at, messageId: ev.msg.messageId });
        if (!state.card) {
          buffered.push(ev.msg);
          if (state.status === 'after_hours' && !toldMessageKept) {
            toldMessageKept = true;
            await notify({ kind: 'message_kept' }, 'kept');
          }
          return;
        }
        await postCustomer(ev.msg);
        if (state.status === 'claimed' && timers.idle === undefined && s.agentIdleReminderMs > 0) timers.idle = now() + s.agentIdleReminderMs;
        startAssist(ev.msg.text);
        return;
      }
      case 'claimed': {
        const n = ++seq;
        signalParent('with_agent');
        await Promise.all([
          records.recordHandoffClaimed({ handoffId: id, conversationKey: input.conversationKey, agent: ev.agent }),
          updateCard(),
          threadPost({ kind: 'system', text: `${ev.agent.name} claimed this conversation. Replies in this thread go to the customer.`, mention: ev.agent }, `claimed:${n}`),
          notify({ kind: 'agent_joined', agent: ev.agent.name }, `joined:${n}`),
        ]);
        const lastRole = [...history].reverse().find((h) => h.role !== 'system')?.role;
        if (lastRole === 'customer' && s.agentIdleReminderMs > 0) timers.idle = now() + s.agentIdleReminderMs;
        return;
      }
      case 'agent_message': {
        const key = `agent:${id}:${ev.sourceId}`;
        await deliver(ev.text, key, 'agent', ev.citations);
        await records.recordAgentRelay({ handoffId: id, sourceId: ev.sourceId, agent: ev.agent, text: ev.text, deliveryKey: key });
        remember({ role: 'agent', text: ev.text, at: new Date(now()).toISOString() });
        timers.idle = undefined;
        if (ev.fromSuggestion) await threadPost({ kind: 'agent_sent', text: ev.text, author: ev.agent.name }, `sent:${ev.sourceId}`);
        return;
      }
      case 'transferred_queue': {
        await updateCard({ status: 'transferred', queue: ev.from, note: `Transferred to ${state.queue} by ${ev.by.name}` });
        await enterQueue('transferred');
        return;
      }
      case 'transferred_agent': {
        const n = ++seq;
        signalParent('with_agent');
        await Promise.all([
          records.recordHandoffClaimed({ handoffId: id, conversationKey: input.conversationKey, agent: ev.to }),
          updateCard({ note: `Transferred to ${ev.to.name} by ${ev.by.name}` }),
          threadPost({ kind: 'system', text: `${ev.by.name} transferred this conversation to ${ev.to.name}.`, mention: ev.to }, `to-agent:${n}`),
          notify({ kind: 'transferred_agent', agent: ev.to.name }, `to-agent:${n}`),
        ]);
        return;
      }
      case 'resolved': {
        clearQueueTimers();
        timers.idle = undefined;
        await records.recordHandoffEnded({ handoffId: id, status: 'resolved', by: ev.by.name });
        await Promise.all([updateCard({ note: `Resolved by ${ev.by.name}` }), notify({ kind: 'resolved' }, 'resolved')]);
        outcome = { outcome: 'resolved', by: ev.by };
        return;
      }
      case 'escalated': {
        state.priority = Math.max(state.priority, ev.request.priority ?? state.priority + 1);
        state.riskFlags = [...new Set([...state.riskFlags, ...(ev.request.riskFlags ?? [])])];
        await records.recordHandoffRisk({ handoffId: id, priority: state.priority, riskFlags: state.riskFlags });
        await updateCard();
        await threadPost({ kind: 'system', text: `Escalated: ${ev.request.reason} (priority ${state.priority})` }, `escalated:${++seq}`);
        return;
      }
      case 'end': {
        clearQueueTimers();
        timers.idle = undefined;
        await records.recordHandoffEnded({ handoffId: id, status: 'ended', by: ev.reason });
        await updateCard({ note: `Conversation closed (${ev.reason})` });
        outcome = { outcome: 'ended', reason: ev.reason };
        return;
      }
    }
  }

  async function fireDueTimers(): Promise<void> {
    const t = now();
    const waited = state.waitingSince ? t - Date.parse(state.waitingSince) : 0;
    const ref = state.card;
    if (timers.alert !== undefined && timers.alert <= t) {
      timers.alert = undefined;
      if (state.status === 'waiting' && ref) {
        const alert = { handoffId: id, queue: state.queue, waitedMs: waited };
        await bestEffort('queue alert', () => deskSend.deskAlertQueue({ key: `desk:${id}:alert:${cardGen}`, ref, alert }));
      }
    }
    if (timers.escalate !== undefined && timers.escalate <= t) {
      timers.escalate = undefined;
      if (state.status === 'waiting' && ref) {
        const card = buildCard();
        await bestEffort('supervisor alert', () => deskSend.deskNotifySupervisor({ key: `desk:${id}:supervisor:${cardGen}`, ref, card, waitedMs: waited }));
      }
    }
    if (timers.position !== undefined && timers.position <= t) {
      timers.position = t + s.queueUpdateEveryMs;
      const place = state.status === 'waiting' ? await records.handoffQueueStatus({ handoffId: id, queue: state.queue, defaultWaitMs: s.defaultWaitMs }) : null;
      if (place && place.position !== lastToldPosition) {
        lastToldPosition = place.position;
        await notify({ kind: 'position', position: place.position, estimatedWaitMs: place.estimatedWaitMs }, `position:${++seq}`);
      }
    }
    if (timers.idle !== undefined && timers.idle <= t) {
      timers.idle = undefined;
      const agent = state.agent;
      if (state.status === 'claimed' && agent) {
        const minutes = Math.max(1, Math.round(s.agentIdleReminderMs / 60_000));
        await threadPost({ kind: 'reminder', text: `The customer has been waiting over ${minutes} min for a reply.`, mention: agent }, `reminder:${++seq}`);
      }
    }
  }

  const nextDue = (): number | undefined => {
    const due = [timers.alert, timers.escalate, timers.position, timers.idle].filter((v): v is number => v !== undefined);
    return due.length > 0 ? Math.min(...due) : undefined;
  };

  async function waitForEvent(until: number | undefined): Promise<void> {
    if (events.length > 0) return;
    if (until === undefined) await condition(() => events.length > 0);
    else await condition(() => events.length > 0, Math.max(1, until - now()));
  }

  // 1. Record, and gather what the agent needs to see.
  const hours = businessHoursStatus(new Date(now()), s.businessHours);
  const closed = !hours.open && hours.opensAt !== undefined;
  const prepared = assist
    .prepareHandoffCard({ conversationKey: input.conversationKey, customerId: input.customerId, language: input.language, transcript: input.transcript })
    .catch((err: unknown): HandoffContext => {
      if (!(err instanceof ActivityFailure)) throw err;
      return { summary: '', summaryBy: 'extractive', lastMessages: [] };
    });
  await records.openHandoff({
    id,
    workflowId: workflowInfo().workflowId,
    conversationKey: input.conversationKey,
    status: closed ? 'after_hours' : 'waiting',
    queue: state.queue,
    priority: state.priority,
    reason: input.reason,
    riskFlags: state.riskFlags,
  });
  signalParent('waiting_agent');
  context = await prepared;
  recent = context.lastMessages.length > 0 ? context.lastMessages : input.transcript.filter((t) => t.role !== 'system').slice(-RECENT_ON_CARD).map((t) => ({ role: t.role, text: t.text, at: t.at }));
  for (const t of input.transcript) if (t.messageId) seenCustomer.add(t.messageId);

  // 2. Outside business hours: say when people are back, keep what the customer writes, wait for opening time.
  if (closed && hours.opensAt) {
    state.status = 'after_hours';
    state.opensAt = hours.opensAt.toISOString();
    await notify({ kind: 'after_hours', opensAt: state.opensAt, timeZone: s.businessHours?.timeZone ?? 'UTC' }, 'after-hours');
    const opensAt = hours.opensAt.getTime();
    while (!outcome && now() < opensAt) {
      await waitForEvent(opensAt);
      const ev = events.shift();
      if (ev) await handle(ev);
    }
  }

  // 3. Queue, claim, relay, resolve.
  if (!outcome && !terminal()) await enterQueue('queued');
  while (!outcome) {
    await waitForEvent(nextDue());
    const ev = events.shift();
    if (ev) await handle(ev);
    else await fireDueTimers();
  }
  return outcome;
}
