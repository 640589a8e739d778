import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Channel, Language } from '../../core/domain.js';
import type { CrmRecord } from '../../core/store/index.js';
import { hashEmail, hashPhone, normaliseEmail, normalisePhone } from './contact-hash.js';

const CHANNELS = ['web', 'teams', 'wechat'] as const satisfies readonly Channel[];
const hex64 = z.string().regex(/^[0-9a-f]{64}$/i, 'must be a SHA-256 hex digest').transform((s) => s.toLowerCase());
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
/** "a;b" in CSV, a list in JSON. */
const list = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[;|]/).map((s) => s.trim()).filter(Boolean) : v ?? []),
  z.array(z.string().min(1).max(64)),
);
const language = z.string().transform((v, ctx): Language => {
  const l = v.trim().toLowerCase();
  if (l === 'zh' || l.startsWith('zh-') || l.startsWith('zh_')) return 'zh';
  if (l === 'en' || l.startsWith('en-') || l.startsWith('en_')) return 'en';
  ctx.addIssue({ code: 'custom', message: `unsupported language "${v}" (zh or en)` });
  return z.NEVER;
});
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. Asia/Shanghai)');
/** "all", "none", or the channels with consent ("wechat;teams"). */
const consentSpec = z.preprocess(
  (v) => (typeof v === 'string' && !['all', 'none', '*'].includes(v.trim().toLowerCase()) ? v.split(/[;|]/).map((s) => s.trim()).filter(Boolean) : typeof v === 'string' ? v.trim().toLowerCase() : v),
  z.union([z.enum(['all', 'none', '*']), z.array(z.enum(CHANNELS))]),
);
const identities = z.union([
  z.array(z.strictObject({ channel: z.enum(CHANNELS), externalId: z.string().min(1).max(256) })),
  z.strictObject({ web: opt(z.string().max(256)), teams: opt(z.string().max(256)), wechat: opt(z.string().max(256)) }),
]);
const attributeValue = z.union([z.string(), z.number(), z.boolean()]);

/** One CRM export row (the JSON shape; CSV columns are mapped onto it by `crm-file.ts`), for these value tiers. */
export const crmRowSchema = (tiers: string[]) => z.strictObject({
  crmId: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1–64 letters, digits, _ . : -')),
  name: opt(z.string().trim().max(200)),
  phone: opt(z.string().refine((v) => normalisePhone(v) !== null, 'not a phone number (digits, optionally +country code)')),
  email: opt(z.email()),
  phoneHash: opt(hex64),
  emailHash: opt(hex64),
  language: opt(language),
  timezone: opt(timezone),
  tier: opt(z.string().trim().toLowerCase().refine((t) => tiers.includes(t), { error: (iss) => `"${String(iss.input)}" is not one of ${tiers.join(', ')}` })),
  tags: list,
  productsOfInterest: list,
  consent: z.strictObject({ marketing: opt(consentSpec), service: opt(consentSpec) }).optional(),
  identities: identities.optional(),
  deviceModel: opt(z.string().max(100)),
  devicePurchasedAt: opt(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'must be a date, YYYY-MM or YYYY-MM-DD')),
  attributes: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/), attributeValue).optional(),
});

export type CrmRow = z.output<ReturnType<typeof crmRowSchema>>;

/** Validates one row against the schema and the installation's tiers; returns the record or every reason it fails. */
export function toCrmRecord(raw: unknown, tiers: string[]): { record: CrmRecord; hash: string } | { reasons: string[] } {
  const parsed = crmRowSchema(tiers).safeParse(raw);
  if (!parsed.success) return { reasons: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`) };
  const r = parsed.data;
  const reasons: string[] = [];
  const phone = r.phone ? normalisePhone(r.phone) : undefined;
  if (r.phone && r.phoneHash) reasons.push('phone: give phone or phoneHash, not both');
  if (r.email && r.emailHash) reasons.push('email: give email or emailHash, not both');
  if (reasons.length) return { reasons };

  const listed = r.identities;
  const ids = Array.isArray(listed)
    ? listed
    : CHANNELS.flatMap((channel) => (listed?.[channel] ? [{ channel, externalId: listed[channel] }] : []));
  const consents: CrmRecord['consents'] = [];
  for (const purpose of ['marketing', 'service'] as const) {
    const spec = r.consent?.[purpose];
    if (spec === undefined) continue;
    if (spec === 'all' || spec === '*') consents.push({ channel: '*', purpose, status: 'granted' });
    else if (spec === 'none') consents.push({ channel: '*', purpose, status: 'denied' });
    else for (const channel of spec) consents.push({ channel, purpose, status: 'granted' });
  }
  const record: CrmRecord = {
    crmId: r.crmId,
    displayName: r.name,
    language: r.language,
    timezone: r.timezone,
    tier: r.tier,
    tags: [...new Set(r.tags)].sort(),
    productsOfInterest: [...new Set(r.productsOfInterest)].sort(),
    phoneHash: phone ? hashPhone(phone) : r.phoneHash,
    emailHash: r.email ? hashEmail(normaliseEmail(r.email)) : r.emailHash,
    identities: ids,
    consents,
    attributes: {
      ...r.attributes,
      ...(r.deviceModel ? { deviceModel: r.deviceModel } : {}),
      ...(r.devicePurchasedAt ? { devicePurchasedAt: r.devicePurchasedAt } : {}),
    },
  };
  return { record, hash: contentHash(record) };
}

/** Stable digest of a record: key order does not matter, any value change does. */
function contentHash(record: CrmRecord): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(record))).digest('hex');
}
