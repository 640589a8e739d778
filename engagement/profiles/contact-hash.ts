import { createHash } from 'node:crypto';

/**
 * Contact data is linked by hash and never stored in clear. Plain SHA-256 of the normalised value is the form CRMs and
 * ad platforms exchange, so a CRM may send `phoneHash`/`emailHash` it computed itself.
 */
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** E.164-style: "+" and digits. Chinese mobile numbers without a country code get +86. Null when it is not a phone. */
export function normalisePhone(raw: string, defaultCountryCode = '86'): string | null {
  const compact = raw.normalize('NFKC').replace(/[\s\-().]/g, '');
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else if (/^1[3-9]\d{9}$/.test(compact)) digits = `${defaultCountryCode}${compact}`;
  else digits = compact;
  if (!/^\d{6,15}$/.test(digits)) return null;
  return `+${digits}`;
}

export const normaliseEmail = (raw: string): string => raw.normalize('NFKC').trim().toLowerCase();

export const hashPhone = (normalised: string): string => sha256(normalised);
export const hashEmail = (normalised: string): string => sha256(normalised);
