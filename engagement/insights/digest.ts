import type { CustomerMessageFacts } from '../../core/store/index.js';
import { clusterQuestions, type QuestionCluster } from './cluster.js';
import { detectRising, type RisingTopic } from './rising.js';
import type { InsightsSettings } from './settings.js';
import { messageTopics, topicWords } from './topics.js';

const WEEK_MS = 7 * 86_400_000;

export const RISING_METHOD =
  'One-sided Poisson test per topic: this week\'s count vs λ = (messages this week) × (baseline share, +0.5 smoothing), ' +
  'baseline = the preceding weeks; Benjamini–Hochberg across tested topics (count ≥ minCount); rising when q ≤ fdr and count/λ ≥ minRatio.';

export interface DigestTopic extends RisingTopic {
  /** Topic words that rose together in the same messages ("以旧换新 / 换新"), shown as one. */
  label: string;
  examples: string[];
}

export interface InsightsDigest {
  periodStart: string;
  periodEnd: string;
  baselineWeeks: number;
  method: string;
  messages: { thisWeek: number; baselinePerWeek: number };
  topIntents: { intent: string; count: number; previousWeek: number }[];
  rising: DigestTopic[];
  unanswered: { count: number; candidates: QuestionCluster[] };
}

/** The week ending at `periodEnd` and the baseline weeks before it. */
export function digestPeriod(periodEnd: Date, baselineWeeks: number) {
  return { from: new Date(periodEnd.getTime() - (baselineWeeks + 1) * WEEK_MS), start: new Date(periodEnd.getTime() - WEEK_MS), end: periodEnd };
}

/**
 * The weekly demand digest from stored customer messages: volumes per intent, topics rising against their baseline
 * (see RISING_METHOD), and this week's unanswered or out-of-scope questions grouped into candidate new topics.
 * Pure: the same messages give the same digest.
 */
export function buildDigest(messages: CustomerMessageFacts[], periodEnd: Date, settings: InsightsSettings, optOutKeywords: (text: string) => boolean): InsightsDigest {
  const weeks = settings.baselineWeeks + 1;
  const { start } = digestPeriod(periodEnd, settings.baselineWeeks);
  const stopwords = new Set(settings.topics.stopwords.map((s) => s.toLowerCase()));
  const totals = new Array<number>(weeks).fill(0);
  const series = new Map<string, number[]>();
  const thisWeekIds = new Map<string, Set<string>>();
  const examples = new Map<string, string[]>();
  const unansweredThisWeek: CustomerMessageFacts[] = [];

  for (const m of messages) {
    if (optOutKeywords(m.text)) continue;
    const age = periodEnd.getTime() - new Date(m.createdAt).getTime();
    const week = weeks - 1 - Math.floor(age / WEEK_MS);
    if (week < 0 || week >= weeks || age <= 0) continue;
    totals[week] = (totals[week] as number) + 1;
    for (const topic of messageTopics(m, stopwords)) {
      const counts = series.get(topic) ?? new Array<number>(weeks).fill(0);
      counts[week] = (counts[week] as number) + 1;
      series.set(topic, counts);
      if (week === weeks - 1) {
        const ids = thisWeekIds.get(topic) ?? new Set<string>();
        ids.add(m.id);
        thisWeekIds.set(topic, ids);
        const ex = examples.get(topic) ?? [];
        if (ex.length < 3 && !ex.includes(m.text)) ex.push(m.text);
        examples.set(topic, ex);
      }
    }
    const unanswered = m.handoffSuggested === true || m.citations === 0;
    if (week === weeks - 1 && unanswered && !(m.intent && settings.unanswered.ignoreIntents.includes(m.intent))) unansweredThisWeek.push(m);
  }

  const rising = mergeOverlapping(detectRising(series, totals, settings.rising), thisWeekIds, settings.rising.mergeOverlap)
    .slice(0, settings.rising.maxTopics)
    .map((t) => ({ ...t, examples: examples.get(t.topic) ?? [] }));
  const intents = [...series.entries()]
    .filter(([topic]) => topic.startsWith('intent:'))
    .map(([topic, counts]) => ({ intent: topic.slice(7), count: counts.at(-1) ?? 0, previousWeek: counts.at(-2) ?? 0 }))
    .filter((i) => i.count > 0 || i.previousWeek > 0)
    .sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent));
  const candidates = clusterQuestions(
    unansweredThisWeek.map((m) => ({ id: m.id, text: m.text, tokens: topicWords(m.text, stopwords) })),
    settings.unanswered,
  );
  const baselineTotal = totals.slice(0, -1).reduce((a, b) => a + b, 0);
  return {
    periodStart: start.toISOString(),
    periodEnd: periodEnd.toISOString(),
    baselineWeeks: settings.baselineWeeks,
    method: RISING_METHOD,
    messages: { thisWeek: totals.at(-1) ?? 0, baselinePerWeek: Math.round((baselineTotal / settings.baselineWeeks) * 10) / 10 },
    topIntents: intents.slice(0, 10),
    rising,
    unanswered: { count: unansweredThisWeek.length, candidates },
  };
}

/**
 * Keyword topics that rose in (nearly) the same messages are one topic under several words — jieba yields both
 * "以旧换新" and "换新", and every word of a burst of "eSIM 激活失败" rises with it — so a rising word whose messages
 * are mostly (overlap coefficient |A∩B| / min(|A|,|B|) ≥ mergeOverlap) those of a stronger one is shown under it.
 */
function mergeOverlapping(rising: RisingTopic[], ids: Map<string, Set<string>>, overlap: number): (RisingTopic & { label: string })[] {
  const groups: (RisingTopic & { label: string; words: string[] })[] = [];
  for (const t of rising) {
    const mine = ids.get(t.topic) ?? new Set<string>();
    const home = t.topic.startsWith('intent:') ? undefined : groups.find((g) => !g.topic.startsWith('intent:') && overlapCoefficient(mine, ids.get(g.topic) ?? new Set()) >= overlap);
    if (home) home.words.push(t.topic);
    else groups.push({ ...t, label: t.topic, words: [t.topic] });
  }
  return groups.map(({ words, ...g }) => ({ ...g, label: words.slice(0, 3).join(' / ') }));
}

function overlapCoefficient(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter += 1;
  return inter / Math.min(a.size, b.size);
}

/** The digest as Slack mrkdwn (also stored, for the console). */
export function digestSummary(d: InsightsDigest): string {
  const day = (iso: string) => iso.slice(0, 10);
  const lines = [
    `*Weekly demand digest* ${day(d.periodStart)} → ${day(d.periodEnd)}`,
    `Customer messages: ${d.messages.thisWeek} this week (baseline ${d.messages.baselinePerWeek}/week over ${d.baselineWeeks} weeks)`,
  ];
  if (d.topIntents.length) {
    lines.push('', '*Top intents*');
    for (const i of d.topIntents.slice(0, 5)) lines.push(`• ${i.intent}: ${i.count} (last week ${i.previousWeek})`);
  }
  lines.push('', d.rising.length ? '*Rising topics*' : '*Rising topics*: none this week');
  for (const t of d.rising) {
    lines.push(`• ${t.label}: ${t.count} vs ${t.expected.toFixed(1)} expected (×${t.ratio.toFixed(1)}, q=${t.qValue.toPrecision(2)})${t.examples[0] ? ` — e.g. "${t.examples[0]}"` : ''}`);
  }
  lines.push('', `*Unanswered or out-of-scope*: ${d.unanswered.count} question(s)`);
  for (const c of d.unanswered.candidates) lines.push(`• candidate topic "${c.label}" (${c.size}): ${c.examples.map((e) => `"${e}"`).join('; ')}`);
  return lines.join('\n');
}
