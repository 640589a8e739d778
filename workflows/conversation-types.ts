import type { AnswerResult, Channel, ConversationStatus, Language } from '../core/domain.js';
import type { HandoffSettings } from './handoff-types.js';
import type { ConversationRiskCarry } from './conversation-risk.js';

/** A stored customer message handed to the conversation workflow (the gateway has persisted it already). */
export interface CustomerMessageSignal {
  /** Database id of the stored message: the key for de-duplication and for the reply's idempotency key. */
  messageId: string;
  text: string;
  language?: Language;
  receivedAt: string;
}

export interface TranscriptEntry {
  role: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
  at: string;
  messageId?: string;
}

export interface ConversationSettings {
  idleTimeoutMs: number;
  /** Turns per workflow run before continue-as-new keeps the history small. */
  turnsPerRun: number;
  /** Handoff triggers, queues and SLA durations (defaults apply when absent). */
  handoff?: HandoffSettings;
}

export interface ConversationCarry {
  pending: CustomerMessageSignal[];
  seen: string[];
  transcript: TranscriptEntry[];
  turns: number;
  language?: Language;
  /** Risk context: categories seen and sentiment so far. */
  risk?: ConversationRiskCarry;
}

export interface ConversationInput {
  key: string;
  channel: Channel;
  conversationId: string;
  customerId: string;
  settings: ConversationSettings;
  carry?: ConversationCarry;
}

export interface ConversationState {
  key: string;
  status: ConversationStatus;
  turns: number;
  pending: number;
  language?: Language;
  lastAnswer?: Pick<AnswerResult, 'intent' | 'confidence' | 'handoffSuggested'>;
  closeReason?: string;
}
