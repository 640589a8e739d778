import type { Store } from '../../core/store/index.js';
import { collectFacts, factLookup } from '../profiles/facts.js';
import { evaluate, explain, type Evidence } from './engine.js';
import type { FlaggingConfig } from './rules.js';

export interface RaisedFlag {
  flag: string;
  reason: string;
  evidence: Evidence[];
  expiresAt: string;
}

/**
 * Evaluates every flag rule for one customer and raises (or refreshes) those that fire, each with the facts that fired
 * it and an expiry of now + ttl. Rules that no longer fire are left to expire: "asked about wealth products three
 * times this month" stays useful for its ttl even after the month rolls on.
 */
export async function evaluateCustomerFlags(store: Store, config: FlaggingConfig, customerId: string, now: Date = new Date()): Promise<RaisedFlag[]> {
  const facts = await collectFacts(store, customerId, config.tiers, now);
  if (!facts) return [];
  const lookup = factLookup(facts);
  const profileId = (await store.canonicalCustomerId(customerId)) as string;
  const raised: RaisedFlag[] = [];
  for (const rule of config.flags) {
    const result = evaluate(rule.when, lookup);
    if (!result.fired) continue;
    const flag: RaisedFlag = {
      flag: rule.name,
      reason: explain(result.evidence),
      evidence: result.evidence,
      expiresAt: new Date(now.getTime() + rule.ttlMs).toISOString(),
    };
    await store.raiseFlag({ customerId: profileId, ...flag, now: now.toISOString() });
    raised.push(flag);
  }
  return raised;
}
