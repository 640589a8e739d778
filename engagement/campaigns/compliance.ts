import type { Language } from '../../core/domain.js';
import type { OutreachSettings } from './settings.js';
import { malformedPlaceholders } from './templates.js';

const squash = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[\s\p{P}]+/gu, '');

/**
 * Wording rules checked when a campaign is loaded, so a non-compliant text never reaches a customer: every marketing
 * template carries its language's opt-out line, and a template that touches a regulated subject (wealth products:
 * 理财, 基金, invest…) carries that subject's disclosure — whether or not the author declared it.
 */
export function complianceProblems(
  campaign: { purpose: 'marketing' | 'service'; disclosures: string[]; steps: { id: string; templates: Record<Language, string> }[] },
  settings: Pick<OutreachSettings, 'requiredPhrases' | 'disclosures'>,
): string[] {
  const problems: string[] = [];
  for (const name of campaign.disclosures) {
    if (!settings.disclosures[name]) problems.push(`disclosures: unknown disclosure "${name}" (known: ${Object.keys(settings.disclosures).join(', ') || 'none'})`);
  }
  for (const step of campaign.steps) {
    const all = `${step.templates.zh}\n${step.templates.en}`.toLowerCase();
    const needed = new Set(campaign.disclosures.filter((d) => settings.disclosures[d]));
    for (const [name, d] of Object.entries(settings.disclosures)) {
      if (d.triggers.some((t) => all.includes(t.toLowerCase()))) needed.add(name);
    }
    for (const lang of ['zh', 'en'] as const) {
      const text = step.templates[lang];
      const where = `steps.${step.id}.templates.${lang}`;
      const phrase = settings.requiredPhrases[campaign.purpose][lang];
      if (phrase && !squash(text).includes(squash(phrase))) problems.push(`${where}: must contain the opt-out line "${phrase}"`);
      for (const name of needed) {
        const disclosure = settings.disclosures[name]?.[lang];
        if (disclosure && !squash(text).includes(squash(disclosure))) problems.push(`${where}: mentions ${name} products, so it must contain "${disclosure}"`);
      }
      for (const bad of malformedPlaceholders(text)) problems.push(`${where}: malformed placeholder near "${bad}" (use {{name}} or {{name|fallback}})`);
    }
  }
  return problems;
}
