import type { AgentRef, CardRef } from '../bots/agent-desk.js';
import type { Channel, Language } from '../core/domain.js';
import type { TranscriptEntry } from './conversation-types.js';

/** One opening window; `days` are 0 (Sunday) … 6, seconds count from local midnight; close < open spans midnight. */
export interface BusinessHoursWindow {
  days: number[];
  openSec: number;
  closeSec: number;
}

export interface BusinessHours {
  timeZone: string;
  windows: BusinessHoursWindow[];
}

/** All SLA durations and routing choices, passed in so tests can use second-long values. */
export interface HandoffSettings {
  /** Queue names; the first is where handoffs go unless asked otherwise. */
  queues: string[];
  /** Consecutive unanswered bot turns (handoffSuggested) before handing off; 0 = never. */
  afterUnanswered: number;
  /** Unclaimed this long → re-alert the queue with @here (0 = off). */
  alertAfterMs: number;
  /** Unclaimed this long → alert the supervisors (0 = off). */
  escalateAfterMs: number;
  /** How often a waiting customer hears their place in the queue (0 = only once). */
  queueUpdateEveryMs: number;
  /** A customer message left unanswered by the owning agent this long → reminder in the thread (0 = off). */
  agentIdleReminderMs: number;
  /** Estimated wait per customer ahead before there is any claim history. */
  defaultWaitMs: number;
  /** Undefined = always open. */
  businessHours?: BusinessHours;
}

/** Asks for a human: from the customer, the bot's repeated failure, or risk escalation (`requestHandoff` signal). */
export interface HandoffRequest {
  reason: string;
  queue?: string;
  /** Higher is served first; 0 normal. */
  priority?: number;
  riskFlags?: string[];
}

export interface HandoffInput {
  handoffId: string;
  conversationKey: string;
  channel: Channel;
  customerId: string;
  language: Language;
  intent: string | null;
  reason: string;
  queue: string;
  priority: number;
  riskFlags: string[];
  /** The conversation so far, for the card when the database has less (the workflow is the source of truth). */
  transcript: TranscriptEntry[];
  settings: HandoffSettings;
}

export type HandoffPhase = 'preparing' | 'after_hours' | 'waiting' | 'claimed' | 'resolved' | 'ended';

export interface HandoffState {
  handoffId: string;
  status: HandoffPhase;
  queue: string;
  priority: number;
  riskFlags: string[];
  agent?: AgentRef;
  card?: CardRef;
  waitingSince?: string;
  opensAt?: string;
}

export interface HandoffOutcome {
  outcome: 'resolved' | 'ended';
  by?: AgentRef;
  reason?: string;
}

export interface HandoffCustomerMessage {
  messageId: string;
  text: string;
  at: string;
}

export type DeskRefusal = 'already_claimed' | 'not_owner' | 'closed' | 'not_open' | 'claim_first' | 'unknown_queue' | 'unknown_suggestion';

/** What an agent's click or message did; a refusal names the owner when someone else has the conversation. */
export type DeskActionResult = { ok: true } | { ok: false; reason: DeskRefusal; owner?: AgentRef };
