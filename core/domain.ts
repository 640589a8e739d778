/** Domain types shared by channels, the gateway, activities and workflows (types only: safe in workflow code). */

export type Channel = 'web' | 'teams' | 'wechat' | 'slack';
export type Language = 'zh' | 'en';
export type Role = 'customer' | 'bot' | 'agent' | 'system';
export type ConversationStatus = 'bot' | 'waiting_agent' | 'with_agent' | 'closed';

export interface Attachment {
  kind: 'image' | 'file' | 'card' | 'other';
  name?: string;
  contentType?: string;
  url?: string;
  /** A channel's own handle for the file (WeChat file id, Teams content URL) stored as a reference, not bytes. */
  ref?: string;
}

/** What every channel adapter produces from an SDK event. */
export interface InboundMessage {
  channel: Channel;
  conversationId: string;
  customerId: string;
  /** Channel's own id of the message; unique per channel, used for de-duplication. */
  messageId: string;
  text: string;
  language?: Language;
  attachments?: Attachment[];
  receivedAt: string;
  /** Channel-specific data needed to reply later (Teams conversation reference, WeChat room id…). */
  replyTarget?: Record<string, unknown>;
  displayName?: string;
}

export interface Citation {
  index: number;
  title: string;
  source: string;
  section?: string;
  snippet?: string;
}

export interface AnswerResult {
  text: string;
  citations: Citation[];
  confidence: number;
  handoffSuggested: boolean;
  intent: string | null;
  language: Language;
}

export interface StoredMessage {
  id: string;
  conversationKey: string;
  role: Role;
  text: string;
  createdAt: string;
  seq: number;
  language?: Language | null;
  citations?: Citation[] | null;
}

/** Workflow id of a conversation: stable per channel + channel conversation id. */
export function conversationKey(channel: Channel, conversationId: string): string {
  return `conv:${channel}:${conversationId}`;
}
