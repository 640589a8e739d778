import type { Channel, Citation, Language } from '../core/domain.js';

/**
 * The agent desk: where human agents see handoffs and talk to customers. Slack (`bots/slack/desk.ts`) and the local
 * web inbox (`bots/inbox/desk.ts`) implement this one interface; the handoff activities call whichever is configured,
 * so the handoff workflow has one code path whatever the desk.
 */
export type DeskKind = 'slack' | 'inbox';

/** A human agent as the desk knows them (Slack user id, or the inbox login). */
export interface AgentRef {
  id: string;
  name: string;
}

/** Where a card lives; its thread is where the conversation with the agent happens. */
export interface CardRef {
  desk: DeskKind;
  channel: string;
  ts: string;
}

export type CardStatus = 'waiting' | 'claimed' | 'resolved' | 'transferred' | 'closed';

export interface CardMessage {
  role: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
  at: string;
}

/** Everything an agent needs to decide whether to take a conversation. */
export interface HandoffCard {
  handoffId: string;
  conversationKey: string;
  channel: Channel;
  customer: { id: string; name?: string };
  language: Language;
  intent: string | null;
  /** Why the conversation was handed off, e.g. "customer asked for a person". */
  reason: string;
  queue: string;
  priority: number;
  summary: string;
  lastMessages: CardMessage[];
  riskFlags: string[];
  status: CardStatus;
  agent?: AgentRef;
  waitingSince: string;
  /** A line shown under the status, e.g. "transferred to billing by Li". */
  note?: string;
}

export type ThreadPostKind = 'customer' | 'system' | 'reminder' | 'agent_sent';

export interface ThreadPost {
  kind: ThreadPostKind;
  text: string;
  /** Who wrote it: the customer's name for customer messages, the agent for agent_sent. */
  author?: string;
  /** An agent to mention (reminders, transfers). */
  mention?: AgentRef;
}

/** A reply drafted from the knowledge base for the agent, never shown to the customer until the agent sends it. */
export interface Suggestion {
  handoffId: string;
  suggestionId: string;
  text: string;
  citations: Citation[];
  /** The customer message it answers. */
  forMessage: string;
}

export interface QueueAlert {
  handoffId: string;
  queue: string;
  waitedMs: number;
}

/**
 * A request someone must follow up on outside the chat, posted by a back-office workflow (workflows/trade-in-lead.ts:
 * a trade-in specialist calls the customer back). Unlike a handoff it has no thread and nobody claims it in the chat.
 */
export interface LeadCard {
  leadId: string;
  /** What kind of follow-up, for the heading, e.g. "Trade-in lead". */
  title: string;
  queue: string;
  conversationKey: string;
  channel: Channel;
  customer: { id: string; name?: string };
  language: Language;
  intent: string | null;
  /** What the customer wrote. */
  text: string;
  createdAt: string;
}

export interface AgentDesk {
  readonly kind: DeskKind;
  /** Posts the card in the queue's place (Slack channel); the returned reference identifies its thread. */
  postHandoffCard(card: HandoffCard): Promise<CardRef>;
  updateCard(ref: CardRef, card: HandoffCard): Promise<void>;
  postToThread(ref: CardRef, post: ThreadPost): Promise<void>;
  postSuggestion(ref: CardRef, suggestion: Suggestion): Promise<void>;
  /** Unclaimed for too long: reminds the whole queue (Slack: @here in the thread). */
  alertQueue(ref: CardRef, alert: QueueAlert): Promise<void>;
  /** Unclaimed for longer still: tells the supervisors. */
  notifySupervisor(ref: CardRef, card: HandoffCard, waitedMs: number): Promise<void>;
  /** Posts a lead for the queue to follow up on (Slack: a message in the queue's channel; inbox: its leads list). */
  postLead(lead: LeadCard): Promise<CardRef>;
}

/** Action identifiers shared by the desks' buttons and the code that handles them. */
export const DESK_ACTIONS = {
  claim: 'kefu_claim',
  transfer: 'kefu_transfer',
  transferQueue: 'kefu_transfer_queue',
  transferAgent: 'kefu_transfer_agent',
  resolve: 'kefu_resolve',
  sendSuggestion: 'kefu_send_suggestion',
} as const;
