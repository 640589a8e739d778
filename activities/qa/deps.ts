import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Judge } from '../../analysis/qa/judge.js';
import { configuredJudge } from '../../analysis/qa/configured-judge.js';
import { DEFAULT_SCORECARD_PATH, loadScorecard, parseScorecard, type Scorecard } from '../../analysis/qa/scorecard.js';
import type { Config } from '../../core/config.js';
import type { Store } from '../../core/store/index.js';
import type { QaAlertSink } from './alert-sink.js';
import { createLocalQaSink } from './local-sink.js';
import { createSlackQaSink } from './slack-sink.js';

/** Everything QA needs, built once per process from configuration. */
export interface QaDeps {
  store: Store;
  scorecard: Scorecard;
  /** Content hash of the scorecard: results of different scorecards are told apart. */
  scorecardVersion: string;
  /** Decides judged criteria; absent (criteria left unjudged) without an LLM or with QA_JUDGE=false. */
  judge?: Judge;
  sink: QaAlertSink;
  /** A conversation scoring below this alerts the QA channel (critical failures always do). */
  alertBelow: number;
  /** Base of the links in alerts (PUBLIC_URL, else the local gateway). */
  publicUrl: string;
  /** Who may decide disputes (QA_LEADS); empty = anyone but the disputing agent. */
  leads: string[];
}

export type QaConfig = Pick<Config,
  'QA_SCORECARD' | 'QA_JUDGE' | 'QA_ALERT_BELOW' | 'QA_LEADS' | 'SLACK_QA_CHANNEL' | 'SLACK_BOT_TOKEN' | 'SLACK_API_URL' |
  'AGENT_DESK' | 'PUBLIC_URL' | 'PORT' | 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'LLM_MODEL' | 'LLM_TIMEOUT'>;

export function scorecardVersion(scorecard: Scorecard): string {
  return `v${scorecard.version}-${createHash('sha256').update(JSON.stringify(scorecard)).digest('hex').slice(0, 12)}`;
}

/** Slack when the agent desk is Slack (AGENT_DESK=slack, or auto with a bot token), the local QA inbox otherwise. */
export function createQaSink(config: QaConfig): QaAlertSink {
  const slack = config.AGENT_DESK === 'slack' || (config.AGENT_DESK === 'auto' && Boolean(config.SLACK_BOT_TOKEN));
  if (slack && config.SLACK_BOT_TOKEN) {
    return createSlackQaSink({ token: config.SLACK_BOT_TOKEN, channel: config.SLACK_QA_CHANNEL, apiUrl: config.SLACK_API_URL });
  }
  return createLocalQaSink();
}

export function qaPublicUrl(config: Pick<Config, 'PUBLIC_URL' | 'PORT'>): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

export const qaResultLink = (publicUrl: string, resultId: string) => `${publicUrl}/v1/qa/results/${encodeURIComponent(resultId)}`;

export function parseLeads(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export async function createQaDeps(config: QaConfig, store: Store, overrides: { sink?: QaAlertSink; judge?: Judge } = {}): Promise<QaDeps> {
  const scorecard = await loadScorecard(config.QA_SCORECARD ?? DEFAULT_SCORECARD_PATH);
  return {
    store,
    scorecard,
    scorecardVersion: scorecardVersion(scorecard),
    judge: overrides.judge ?? (config.QA_JUDGE ? configuredJudge(scorecard, config) : undefined),
    sink: overrides.sink ?? createQaSink(config),
    alertBelow: config.QA_ALERT_BELOW ?? scorecard.passScore,
    publicUrl: qaPublicUrl(config),
    leads: parseLeads(config.QA_LEADS),
  };
}

/** QA with the installation's scorecard, rules only, posting to the local QA inbox: for workers built without config. */
export function localQaDeps(store: Store): QaDeps {
  const scorecard = parseScorecard(readFileSync(DEFAULT_SCORECARD_PATH, 'utf8'), DEFAULT_SCORECARD_PATH);
  return {
    store,
    scorecard,
    scorecardVersion: scorecardVersion(scorecard),
    sink: createLocalQaSink(),
    alertBelow: scorecard.passScore,
    publicUrl: 'http://localhost:3978',
    leads: [],
  };
}
