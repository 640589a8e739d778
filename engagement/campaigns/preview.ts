import type { Store } from '../../core/store/index.js';
import type { CampaignPlan, PreviewRow } from '../../workflows/outreach-types.js';
import { msUntilAllowed } from './quiet-hours.js';
import type { OutreachSettings } from './settings.js';
import { chooseTarget, messageFor } from './targeting.js';

/**
 * What the first step of a campaign would do for each customer if it ran now — the same decisions as a real send,
 * read-only: nothing is claimed, recorded or sent.
 */
export async function previewCampaign(store: Store, settings: OutreachSettings, plan: CampaignPlan, customerIds: string[], now: Date = new Date()): Promise<PreviewRow[]> {
  const step = plan.steps[0];
  if (!step) return [];
  const rows: PreviewRow[] = [];
  for (const id of customerIds) {
    const profile = await store.getProfile(id);
    if (!profile) continue;
    const row = (r: Omit<PreviewRow, 'customerId' | 'name'>): PreviewRow => ({ customerId: profile.id, name: profile.displayName, ...r });
    const target = await chooseTarget(store, settings, plan, profile.id);
    if (!target.ok) {
      rows.push(row({ language: profile.language ?? 'zh', channel: null, conversationKey: null, decision: 'skip', reason: `${target.reason}: ${target.detail}`, text: null }));
      continue;
    }
    const message = messageFor(profile, step, target.language);
    const common = { language: message.ok ? message.language : target.language, channel: target.channel, conversationKey: target.conversationKey, text: message.ok ? message.text : null };
    if (!message.ok) {
      rows.push(row({ ...common, decision: 'skip', reason: `missing_variable: ${message.missing.join(', ')}` }));
      continue;
    }
    let capped: string | undefined;
    for (const cap of [settings.frequencyCap, ...plan.frequencyCaps]) {
      const count = await store.countRecentSends(profile.id, cap.windowMs);
      if (count >= cap.max) capped = `capped: ${count} outreach message(s) in the window (max ${cap.max})`;
    }
    if (capped) {
      rows.push(row({ ...common, decision: 'skip', reason: capped }));
      continue;
    }
    const waitMs = msUntilAllowed(now, profile.timezone ?? plan.defaultTimezone, plan.quietHours);
    rows.push(row({ ...common, decision: waitMs > 0 ? 'defer' : 'send', ...(waitMs > 0 ? { reason: `quiet_hours until ${new Date(now.getTime() + waitMs).toISOString()}` } : {}) }));
  }
  return rows;
}
