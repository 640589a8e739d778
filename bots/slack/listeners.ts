import type { App, BlockAction, ButtonAction, StaticSelectAction, UsersSelectAction, webApi } from '@slack/bolt';

import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';
import { DESK_ACTIONS } from '../agent-desk.js';
import { refusalText, type CommandResult, type HandoffCommands } from '../handoff/commands.js';
import type { AgentDirectory } from './agents.js';
import { transferBlocks } from './blocks.js';
import { dedupeSlackDeliveries } from './dedupe.js';
import { overviewBlocks } from './overview.js';
import { isInternalNote, slackToPlain } from './text.js';

type WebClient = webApi.WebClient;

export interface SlackListenerDeps {
  store: Store;
  commands: HandoffCommands;
  agents: AgentDirectory;
  queues: string[];
  logger: Logger;
}

interface MessageEvent {
  type: 'message';
  subtype?: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
}

/**
 * Agents' side of Slack: card buttons (claim, transfer, resolve), "Send this reply" on suggestions, replies in card
 * threads (relayed to the customer) and `/kefu`. Refusals (someone else has it) come back as ephemeral messages.
 */
export function registerSlackListeners(app: App, deps: SlackListenerDeps): void {
  const { store, commands, agents, logger } = deps;
  app.use(dedupeSlackDeliveries(store, logger));
  app.error(async (err) => {
    logger.error({ err }, 'slack listener failed');
  });

  const tell = async (client: WebClient, body: BlockAction, text: string) => {
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!channel) return;
    const threadTs = body.message?.thread_ts as string | undefined;
    await client.chat.postEphemeral({ channel, user: body.user.id, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  };
  const report = async (client: WebClient, body: BlockAction, r: CommandResult, done?: string) => {
    if (!r.ok) await tell(client, body, refusalText(r));
    else if (done) await tell(client, body, done);
  };
  const actionId = (body: BlockAction, actionTs: string) => body.trigger_id ?? `${body.user.id}:${actionTs}`;
  const agentOf = (body: BlockAction) => agents.lookup(body.user.id, body.user.name);

  app.action<BlockAction<ButtonAction>>(DESK_ACTIONS.claim, async ({ ack, body, action, client }) => {
    await ack();
    if (!action.value) return;
    await report(client, body, await commands.claim(action.value, await agentOf(body), actionId(body, action.action_ts)));
  });

  app.action<BlockAction<ButtonAction>>(DESK_ACTIONS.resolve, async ({ ack, body, action, client }) => {
    await ack();
    if (!action.value) return;
    await report(client, body, await commands.resolve(action.value, await agentOf(body), actionId(body, action.action_ts)));
  });

  app.action<BlockAction<ButtonAction>>(DESK_ACTIONS.sendSuggestion, async ({ ack, body, action, client }) => {
    await ack();
    const [handoffId, suggestionId] = (action.value ?? '').split('|');
    if (!handoffId || !suggestionId) return;
    await report(client, body, await commands.sendSuggestion(handoffId, await agentOf(body), suggestionId));
  });

  app.action<BlockAction<ButtonAction>>(DESK_ACTIONS.transfer, async ({ ack, body, action, client }) => {
    await ack();
    const h = action.value ? await store.getHandoff(action.value) : null;
    const channel = body.channel?.id;
    if (!h || !channel) return;
    if (h.status === 'resolved' || h.status === 'ended') return void (await tell(client, body, refusalText({ ok: false, reason: 'closed' })));
    await client.chat.postEphemeral({ channel, user: body.user.id, text: 'Transfer this conversation', blocks: transferBlocks(h.id, deps.queues, h.queue) });
  });

  app.action<BlockAction<StaticSelectAction>>(DESK_ACTIONS.transferQueue, async ({ ack, body, action, client }) => {
    await ack();
    const [handoffId, queue] = action.selected_option.value.split('|');
    if (!handoffId || !queue) return;
    const r = await commands.transfer(handoffId, await agentOf(body), { queue }, actionId(body, action.action_ts));
    await report(client, body, r, `Transferred to the ${queue} queue.`);
  });

  app.action<BlockAction<UsersSelectAction>>(DESK_ACTIONS.transferAgent, async ({ ack, body, action, client }) => {
    await ack();
    const handoffId = action.block_id.replace(/^transfer:/, '');
    const to = await agents.lookup(action.selected_user);
    const r = await commands.transfer(handoffId, await agentOf(body), { agent: to }, actionId(body, action.action_ts));
    await report(client, body, r, `Transferred to ${to.name}.`);
  });

  // Replies in a card's thread are the agent talking to the customer.
  app.event('message', async ({ event, client }) => {
    const m = event as unknown as MessageEvent;
    // Plain replies, "also send to channel" replies and replies with a file (its text is relayed; files are not).
    const reply = m.subtype === undefined || m.subtype === 'thread_broadcast' || m.subtype === 'file_share';
    if (!reply || m.bot_id || !m.user || !m.thread_ts || m.thread_ts === m.ts || !m.text) return;
    const h = await store.findHandoffByCard('slack', m.channel, m.thread_ts);
    if (!h || isInternalNote(m.text)) return;
    const agent = await agents.lookup(m.user);
    const text = slackToPlain(m.text, agents.cachedName);
    if (!text) return;
    const r = await commands.agentMessage(h.id, agent, `slack:${m.channel}:${m.ts}`, text);
    if (!r.ok) await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: `Not sent to the customer: ${refusalText(r)}` });
  });

  app.command('/kefu', async ({ ack, command }) => {
    const overview = await commands.overview(command.user_id);
    await ack({ response_type: 'ephemeral', text: 'kefu queue status', blocks: overviewBlocks(overview) });
  });
}
