import type { Channel, Language } from '../core/domain.js';

/**
 * A campaign as the workflows carry it: compiled from config/campaigns/<name>.yaml with every duration in
 * milliseconds, so workflow code stays deterministic and tests can use second-long values.
 */
export interface CampaignPlan {
  name: string;
  /** `marketing` needs marketing consent; `service` notices need service consent (granted by default). */
  purpose: 'marketing' | 'service';
  audience: CampaignAudience;
  /** Allowed channels in order of preference; the customer's latest conversation on the first one reachable is used. */
  channels: Channel[];
  /** Local times in the customer's time zone ("21:00" → "09:00" spans midnight); null = any time. */
  quietHours: { start: string; end: string } | null;
  /** Used when the customer's profile has no time zone. */
  defaultTimezone: string;
  /** Caps of this campaign, counted over ALL campaigns' messages; the global cap applies as well. */
  frequencyCaps: { max: number; windowMs: number }[];
  maxRecipientsPerRun: number;
  /** A later customer message with one of these intents counts as a conversion. */
  conversionIntents: string[];
  steps: CampaignStep[];
}

export interface CampaignAudience {
  /** Any of these active flags … */
  flags: string[];
  /** … and any of these tags … */
  tags: string[];
  /** … and any of these tiers … */
  tiers: string[];
  /** … and any of these languages (each list empty = no condition). */
  languages: Language[];
}

export interface CampaignStep {
  id: string;
  /** Wait after the previous step (or after enrolment, for the first). */
  delayMs: number;
  /** Skip this step once the customer has replied to the campaign. */
  onlyIfNoReply: boolean;
  templates: Record<Language, string>;
}

export interface OutreachInput {
  plan: CampaignPlan;
  customerId: string;
}

export type StepSkipReason = 'opted_out' | 'no_consent' | 'capped' | 'no_channel' | 'replied' | 'unknown_customer' | 'missing_variable';

export type SendStepResult =
  | { status: 'sent' | 'already_sent'; channel: Channel; conversationKey: string }
  | { status: 'deferred'; reason: 'quiet_hours' | 'rate_limited'; waitMs: number }
  | { status: 'skipped'; reason: StepSkipReason; detail?: string }
  | { status: 'failed'; error: string };

export interface OutreachStatus {
  campaign: string;
  customerId: string;
  step: number;
  paused: boolean;
  cancelled: boolean;
  waitingUntil?: string;
  results: { step: string; result: SendStepResult }[];
}

export interface CampaignRunInput {
  plan: CampaignPlan;
  dryRun: boolean;
  /** Re-evaluate the audience's flags first (time-based facts such as device age move without any conversation). */
  refreshFlags: boolean;
  /** Carried across continue-as-new. */
  cursor?: string | null;
  totals?: CampaignRunTotals;
}

export interface CampaignRunTotals {
  selected: number;
  started: number;
  alreadyRunning: number;
}

/** What `--dry-run` shows for one customer. */
export interface PreviewRow {
  customerId: string;
  name: string | null;
  language: Language;
  channel: Channel | null;
  conversationKey: string | null;
  /** What would happen now: send, or why not. */
  decision: 'send' | 'defer' | 'skip';
  reason?: string;
  text: string | null;
}

export interface CampaignRunResult {
  campaign: string;
  dryRun: boolean;
  totals: CampaignRunTotals;
  preview?: PreviewRow[];
}
