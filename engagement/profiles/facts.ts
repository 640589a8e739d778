import type { Store } from '../../core/store/index.js';
import type { FactLookup } from '../flags/engine.js';

/** Windows (days) for which intent counts are computed: `intents.<intent>.messages_30d`, `…conversations_7d`. */
export const INTENT_WINDOWS = [7, 30, 90] as const;
const RISK_WINDOW_DAYS = 90;
const CONTACT_WINDOW_DAYS = 30;

/** Everything the flag rules can read about a customer, by dotted path. */
export interface ProfileFacts {
  tier: string;
  tier_rank: number;
  tags: string[];
  language: string | null;
  timezone: string | null;
  products_of_interest: string[];
  sentiment: { last: number | null; trend: number | null };
  intents: Record<string, Record<string, number>>;
  risk: Record<string, Record<string, number>>;
  conversations_30d: number;
  days_since_last_contact: number | null;
  attributes: Record<string, unknown>;
  device: { age_months: number | null };
}

const FACT_PATTERNS = [
  /^(tier|tier_rank|tags|language|timezone|products_of_interest|conversations_30d|days_since_last_contact)$/,
  /^sentiment\.(last|trend)$/,
  new RegExp(`^intents\\.[a-z0-9_-]+\\.(messages|conversations)_(${INTENT_WINDOWS.join('|')})d$`),
  new RegExp(`^risk\\.[a-z0-9_-]+\\.conversations_${RISK_WINDOW_DAYS}d$`),
  /^attributes\.[A-Za-z0-9_-]+$/,
  /^device\.age_months$/,
];

/** True for a path `factLookup` can answer; rule files naming anything else are rejected at load. */
export const isKnownFact = (path: string) => FACT_PATTERNS.some((p) => p.test(path));

/** Whole months between a purchase date and `now` (null for a missing or unreadable date). */
export function monthsSince(date: unknown, now: Date): number | null {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}(-\d{2})?/.test(date)) return null;
  const d = new Date(date.length === 7 ? `${date}-01` : date);
  if (Number.isNaN(d.getTime())) return null;
  let months = (now.getUTCFullYear() - d.getUTCFullYear()) * 12 + (now.getUTCMonth() - d.getUTCMonth());
  if (now.getUTCDate() < d.getUTCDate()) months -= 1;
  return Math.max(0, months);
}

/** Reads a customer's facts from the store; `now` is explicit so tests and re-evaluation are reproducible. */
export async function collectFacts(store: Store, customerId: string, tiers: string[], now: Date = new Date()): Promise<ProfileFacts | null> {
  const profile = await store.getProfile(customerId);
  if (!profile) return null;
  const [counts, risk, contact] = await Promise.all([
    store.intentCounts(profile.id, [...INTENT_WINDOWS], now),
    store.riskCategoryCounts(profile.id, RISK_WINDOW_DAYS, now),
    store.contactStats(profile.id, CONTACT_WINDOW_DAYS, now),
  ]);
  const intents: ProfileFacts['intents'] = {};
  for (const c of counts) {
    const entry = (intents[c.intent] ??= {});
    entry[`messages_${c.window}d`] = c.messages;
    entry[`conversations_${c.window}d`] = c.conversations;
  }
  const attributes = profile.attributes;
  return {
    tier: profile.tier,
    tier_rank: tiers.indexOf(profile.tier),
    tags: profile.tags,
    language: profile.language,
    timezone: profile.timezone,
    products_of_interest: profile.productsOfInterest,
    sentiment: { last: profile.sentimentLast, trend: profile.sentimentTrend },
    intents,
    risk: Object.fromEntries(Object.entries(risk).map(([category, n]) => [category, { [`conversations_${RISK_WINDOW_DAYS}d`]: n }])),
    conversations_30d: contact.conversations,
    days_since_last_contact: contact.lastContactAt ? Math.floor((now.getTime() - new Date(contact.lastContactAt).getTime()) / 86_400_000) : null,
    attributes,
    device: { age_months: monthsSince(attributes.devicePurchasedAt, now) },
  };
}

/** Path lookup over facts; intent and risk counts the customer never had read as 0, other missing facts as undefined. */
export function factLookup(facts: ProfileFacts): FactLookup {
  return (path) => {
    const parts = path.split('.');
    let v: unknown = facts;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    if (v === undefined && (parts[0] === 'intents' || parts[0] === 'risk') && isKnownFact(path)) return 0;
    return v;
  };
}
