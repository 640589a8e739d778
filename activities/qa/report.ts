import type { Store } from '../../core/store/index.js';
import type { Period, QaCoverage, QaSeverity } from '../../core/store/qa.js';

/**
 * The QA report over a period: coverage (closed vs scored), scores by agent/bot and by criterion, the top failure
 * reasons, and the change against the period just before. Built from the database only, so the scheduled workflow
 * and `kefu qa report` print the same figures.
 */

export interface QaReportActor {
  /** 'bot' or 'agent:<id>'. */
  actor: string;
  label: string;
  conversations: number;
  averageScore: number;
  passRate: number;
  failedFindings: number;
  criticalFindings: number;
  previousAverageScore: number | null;
  /** averageScore − previousAverageScore. */
  change: number | null;
}

export interface QaReportCriterion {
  criterion: string;
  name: string;
  severity: QaSeverity;
  evaluated: number;
  failed: number;
  /** Failed over evaluated; null when no conversation got a verdict (a judged criterion without an LLM). */
  failRate: number | null;
  overturned: number;
  previousFailRate: number | null;
  /** failRate − previousFailRate, in rate units (0.05 = 5 points). */
  change: number | null;
}

export interface QaReportFailure {
  criterion: string;
  name: string;
  severity: QaSeverity;
  failed: number;
  /** Failed conversations over scored conversations. */
  share: number;
  example: { note: string; conversationKey: string; resultId: string } | null;
}

export interface QaReportTotals {
  conversations: number;
  averageScore: number | null;
  passRate: number | null;
  criticalFailures: number;
}

export interface QaReport {
  period: Period;
  previousPeriod: Period;
  coverage: Omit<QaCoverage, 'missing'> & { missing: QaCoverage['missing'] };
  previousCoverageRate: number;
  totals: QaReportTotals;
  previousTotals: QaReportTotals;
  trend: { averageScore: number | null; passRate: number | null; coverage: number };
  byActor: QaReportActor[];
  byCriterion: QaReportCriterion[];
  topFailures: QaReportFailure[];
  disputes: { opened: number; accepted: number; rejected: number; open: number };
}

type ReportStore = Pick<Store, 'qaCoverage' | 'qaResultTotals' | 'qaActorFigures' | 'qaCriterionFigures' | 'qaDisputeFigures'>;

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** The period of the same length just before `p`. */
export function previousPeriod(p: Period): Period {
  const length = Date.parse(p.until) - Date.parse(p.since);
  return { since: new Date(Date.parse(p.since) - length).toISOString(), until: p.since };
}

export function periodEndingAt(until: Date | string, lengthMs: number): Period {
  const end = new Date(until);
  return { since: new Date(end.getTime() - lengthMs).toISOString(), until: end.toISOString() };
}

function totalsOf(t: Awaited<ReturnType<ReportStore['qaResultTotals']>>): QaReportTotals {
  return {
    conversations: t.conversations,
    averageScore: t.averageScore === null ? null : round(t.averageScore),
    passRate: ratio(t.passed, t.conversations),
    criticalFailures: t.criticalFailures,
  };
}

export const actorLabel = (actor: string, name: string | null) =>
  actor === 'bot' ? 'bot' : name ? `${name} (${actor.slice('agent:'.length)})` : actor.slice('agent:'.length);

export async function buildQaReport(store: ReportStore, period: Period, opts: { topFailures?: number } = {}): Promise<QaReport> {
  const prev = previousPeriod(period);
  const [coverage, prevCoverage, totals, prevTotals, actors, prevActors, criteria, prevCriteria, disputes] = await Promise.all([
    store.qaCoverage(period),
    store.qaCoverage(prev, 0),
    store.qaResultTotals(period),
    store.qaResultTotals(prev),
    store.qaActorFigures(period),
    store.qaActorFigures(prev),
    store.qaCriterionFigures(period),
    store.qaCriterionFigures(prev),
    store.qaDisputeFigures(period),
  ]);
  const current = totalsOf(totals);
  const previous = totalsOf(prevTotals);
  const prevActor = new Map(prevActors.map((a) => [a.actor, a]));
  const prevCriterion = new Map(prevCriteria.map((c) => [c.criterion, c]));

  const byActor: QaReportActor[] = actors
    .map((a) => {
      const before = prevActor.get(a.actor);
      const previousAverageScore = before ? round(before.averageScore) : null;
      const averageScore = round(a.averageScore);
      return {
        actor: a.actor,
        label: actorLabel(a.actor, a.name),
        conversations: a.conversations,
        averageScore,
        passRate: a.passed / a.conversations,
        failedFindings: a.failedFindings,
        criticalFindings: a.criticalFindings,
        previousAverageScore,
        change: previousAverageScore === null ? null : round(averageScore - previousAverageScore),
      };
    })
    // The bot first, then agents by volume: the reader looks for the bot, then for the busiest people.
    .sort((a, b) => Number(b.actor === 'bot') - Number(a.actor === 'bot') || b.conversations - a.conversations || a.label.localeCompare(b.label));

  const byCriterion: QaReportCriterion[] = criteria.map((c) => {
    const before = prevCriterion.get(c.criterion);
    const failRate = ratio(c.failed, c.evaluated);
    const previousFailRate = before ? ratio(before.failed, before.evaluated) : null;
    return {
      criterion: c.criterion,
      name: c.name,
      severity: c.severity,
      evaluated: c.evaluated,
      failed: c.failed,
      failRate,
      overturned: c.overturned,
      previousFailRate,
      change: diff(failRate, previousFailRate),
    };
  });

  const SEVERITY_RANK = { critical: 0, major: 1, minor: 2 } as const;
  const topFailures: QaReportFailure[] = criteria
    .filter((c) => c.failed > 0)
    .sort((a, b) => b.failed - a.failed || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.criterion.localeCompare(b.criterion))
    .slice(0, opts.topFailures ?? 5)
    .map((c) => ({
      criterion: c.criterion,
      name: c.name,
      severity: c.severity,
      failed: c.failed,
      share: ratio(c.failed, current.conversations) ?? 0,
      example: c.example,
    }));

  return {
    period,
    previousPeriod: prev,
    coverage,
    previousCoverageRate: prevCoverage.rate,
    totals: current,
    previousTotals: previous,
    trend: {
      averageScore: current.averageScore === null || previous.averageScore === null ? null : round(current.averageScore - previous.averageScore),
      passRate: diff(current.passRate, previous.passRate),
      coverage: coverage.rate - prevCoverage.rate,
    },
    byActor,
    byCriterion,
    topFailures,
    disputes,
  };
}
