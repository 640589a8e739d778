/**
 * Whether a customer message is an opt-out ("退订", "TD", "STOP", "unsubscribe"…). Only a message that *is* the
 * keyword counts — punctuation, spaces and case aside — so "how do I stop auto-pay?" never unsubscribes anyone.
 */
export function isOptOutMessage(text: string, keywords: string[]): boolean {
  const normalised = normalise(text);
  if (normalised === '' || normalised.length > 40) return false;
  return keywords.some((k) => normalise(k) === normalised);
}

const normalise = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
