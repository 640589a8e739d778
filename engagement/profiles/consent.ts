import type { Consent, ConsentPurpose } from '../../core/store/index.js';

export type ConsentDecision =
  | { allowed: true; basis: 'granted' | 'default' }
  | { allowed: false; basis: 'opted_out' | 'denied' | 'default' };

/**
 * May we contact this customer on this channel for this purpose? An opt-out (on the channel or on every channel)
 * always wins; otherwise the channel's own record beats the all-channels one, and without any record the purpose's
 * default applies (config/outreach.yaml: marketing is denied unless granted).
 */
export function decideConsent(consents: Consent[], channel: string, purpose: ConsentPurpose, defaults: Record<ConsentPurpose, 'allow' | 'deny'>): ConsentDecision {
  const relevant = consents.filter((c) => c.purpose === purpose && (c.channel === channel || c.channel === '*'));
  if (relevant.some((c) => c.status === 'opted_out')) return { allowed: false, basis: 'opted_out' };
  const specific = relevant.find((c) => c.channel === channel) ?? relevant.find((c) => c.channel === '*');
  if (specific) return specific.status === 'granted' ? { allowed: true, basis: 'granted' } : { allowed: false, basis: 'denied' };
  return defaults[purpose] === 'allow' ? { allowed: true, basis: 'default' } : { allowed: false, basis: 'default' };
}
