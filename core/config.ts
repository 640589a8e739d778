import { z } from 'zod';
import path from 'node:path';
import { parseDuration } from './duration.js';

const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const bool = (fallback: boolean) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : typeof v === 'string' ? !['0', 'false', 'no', 'off'].includes(v.toLowerCase()) : v),
    z.boolean(),
  );
const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess((v) => (v === undefined || v === '' ? fallback : Number(v)), z.number().int().min(min).max(max));
const duration = (fallback: string) =>
  z.preprocess((v) => (v === undefined || v === '' ? fallback : v), z.string()).transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
const url = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());
const riskSeverity = (fallback: 'low' | 'medium' | 'high' | 'critical') => z.enum(['low', 'medium', 'high', 'critical']).default(fallback);
/** "5m:team-lead,15m:manager": who is re-alerted how long after an unacknowledged risk alert (times strictly increasing). */
const riskLadder = z.string().default('5m:team-lead,15m:manager').transform((v, ctx) => {
  const steps: { afterMs: number; role: string }[] = [];
  for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^:]+):([a-z0-9_-]+)$/i.exec(part);
    let afterMs = Number.NaN;
    try {
      afterMs = m ? parseDuration(m[1] as string) : Number.NaN;
    } catch {
      // reported below
    }
    if (!m || !(afterMs > (steps.at(-1)?.afterMs ?? 0))) {
      ctx.addIssue({ code: 'custom', message: `"${part}" must be <duration>:<role> with increasing durations, e.g. 5m:team-lead,15m:manager` });
      return z.NEVER;
    }
    steps.push({ afterMs, role: (m[2] as string).toLowerCase() });
  }
  return steps;
});
/** "team-lead=U01ABC|S02XYZ,manager=U03DEF": Slack user (U…/W…) or user-group (S…) ids mentioned per ladder role. */
const riskContacts = z
  .string()
  .regex(/^\s*$|^\s*[a-z0-9_-]+=[A-Z0-9|\s]+(,\s*[a-z0-9_-]+=[A-Z0-9|\s]+)*$/i, 'e.g. team-lead=U01ABC|S02XYZ,manager=U03DEF')
  .default('')
  .transform((v) =>
    Object.fromEntries(
      v.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
        const [role = '', ids = ''] = p.split('=');
        return [role.trim().toLowerCase(), ids.split(/[|\s]+/).filter(Boolean)] as const;
      }),
    ) as Record<string, string[]>,
  );

/**
 * Every setting of the platform. Names follow each ecosystem's own conventions (DATABASE_URL, TEMPORAL_*,
 * MicrosoftApp*, SLACK_*, WECHATY_*) so operators can reuse what they already know.
 */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    KEFU_DATA_DIR: z.string().default('./.kefu-data'),
    KEFU_SEED_DEMO: bool(true),

    HOST: z.string().default('0.0.0.0'),
    PORT: int(3978, 0, 65535),
    PUBLIC_URL: url,
    MAX_MESSAGE_CHARS: int(8000, 1),
    MAX_BODY_BYTES: int(64 * 1024, 1024),

    DATABASE_URL: url,
    DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier').default('public'),
    DATABASE_POOL_MAX: int(10, 1, 500),

    TEMPORAL_ADDRESS: optionalString,
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('kefu'),
    TEMPORAL_API_KEY: optionalString,
    TEMPORAL_TLS_CERT_PATH: optionalString,
    TEMPORAL_TLS_KEY_PATH: optionalString,
    TEMPORAL_TLS_CA_PATH: optionalString,
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    TEMPORAL_CLI_PATH: optionalString,
    TEMPORAL_DEV_PORT: int(7233, 0, 65535),
    TEMPORAL_DEV_UI_PORT: int(8233, 0, 65535),
    TEMPORAL_UI_URL: url,

    CONVERSATION_IDLE_TIMEOUT: duration('30m'),
    CONVERSATION_TURNS_PER_RUN: int(100, 1, 10_000),

    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: url,
    LLM_MODEL: z.string().default('gpt-4o-mini'),
    LLM_TIMEOUT: duration('20s'),
    EMBEDDINGS_PROVIDER: z.enum(['local', 'openai']).default('local'),
    EMBEDDINGS_MODEL: optionalString,
    // Hand-off threshold on the answer chain's confidence (0..1, knowledge/answer/chain.ts): below it the bot offers a
    // person instead of answering. Calibrated with `npm run bench:retrieval` on the demo knowledge base's dev questions.
    KNOWLEDGE_MIN_CONFIDENCE: z.preprocess((v) => (v === undefined || v === '' ? 0.65 : Number(v)), z.number().min(0).max(1)),
    // Query-side synonym groups for knowledge search (knowledge/text/synonyms.ts); unset = config/synonyms.yaml, `off` = none.
    SYNONYMS_FILE: optionalString,

    MicrosoftAppId: optionalString,
    MicrosoftAppPassword: optionalString,
    MicrosoftAppTenantId: optionalString,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),

    SLACK_BOT_TOKEN: optionalString,
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: optionalString,
    SLACK_API_URL: url,
    SLACK_QUEUE_CHANNEL: z.string().default('kefu-queue'),
    SLACK_SUPERVISOR_CHANNEL: z.string().default('kefu-supervisors'),
    SLACK_QA_CHANNEL: z.string().default('kefu-qa'),

    AGENT_DESK: z.enum(['auto', 'slack', 'inbox']).default('auto'),
    INBOX_TOKEN: optionalString,
    HANDOFF_QUEUES: z
      .string()
      .regex(/^\s*[a-z0-9_-]+(=[^,\s]+)?(\s*,\s*[a-z0-9_-]+(=[^,\s]+)?)*\s*$/, 'comma-separated queue names, each optionally =<slack channel>')
      // `senior` receives risky conversations (RISK_HANDOFF_QUEUE) out of the box.
      .default('general,senior'),
    HANDOFF_AFTER_UNANSWERED: int(2, 0, 100),
    HANDOFF_ALERT_AFTER: duration('2m'),
    HANDOFF_ESCALATE_AFTER: duration('5m'),
    HANDOFF_QUEUE_UPDATE_EVERY: duration('1m'),
    HANDOFF_AGENT_IDLE_REMINDER: duration('3m'),
    HANDOFF_DEFAULT_WAIT: duration('3m'),
    BUSINESS_HOURS: z
      .string()
      .regex(
        /^\s*$|^\s*[a-z]{3}(-[a-z]{3})?\s+\d{2}:\d{2}(:\d{2})?-\d{2}:\d{2}(:\d{2})?(\s*;\s*[a-z]{3}(-[a-z]{3})?\s+\d{2}:\d{2}(:\d{2})?-\d{2}:\d{2}(:\d{2})?)*\s*$/i,
        'e.g. "mon-fri 09:00-18:00; sat 10:00-14:00" (empty = always open)',
      )
      .default(''),
    BUSINESS_TIMEZONE: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Asia/Shanghai')
      .default('Asia/Shanghai'),

    SLACK_RISK_CHANNEL: z.string().default('kefu-risk'),
    RISK_RULES_PATH: optionalString,
    // The learned model beside the rules (analysis/risk/model): it adds categories the rules missed, and drops a rule's
    // category only below its veto (RISK_MODEL_VETO, else the one stored in the model file).
    RISK_MODEL_ENABLED: bool(true),
    RISK_MODEL_PATH: optionalString,
    /** One probability threshold for every category; unset = the per-category thresholds cross-validated at training. */
    RISK_MODEL_THRESHOLD: z.preprocess((v) => (v === undefined || v === '' ? undefined : Number(v)), z.number().min(0).max(1).optional()),
    // Below this model probability a rule's category is dropped as a keyword in a frame no rule foresaw; 0 turns it off.
    // Unset = the veto stored in the model file, the one its thresholds were tuned with.
    RISK_MODEL_VETO: z.preprocess((v) => (v === undefined || v === '' ? undefined : Number(v)), z.number().min(0).max(1).optional()),
    RISK_ESCALATE_SEVERITY: riskSeverity('medium'),
    RISK_HOLD_SEVERITY: riskSeverity('high'),
    RISK_HANDOFF_QUEUE: z.string().regex(/^[a-z0-9_-]+$/, 'a queue name from HANDOFF_QUEUES').default('senior'),
    RISK_ACK_LADDER: riskLadder,
    RISK_ROLE_CONTACTS: riskContacts,
    RISK_ESCALATION_QUIET: duration('24h'),

    // Intent routing (knowledge/routing): what the bot does with each intent of a customer message.
    /** Routing table YAML; `off` sends every message to the knowledge-base answerer (no intent routing). */
    ROUTING_FILE: optionalString,
    INTENT_DATA_FILE: optionalString,
    /** A model from `kefu intent train`; without one, the model is trained from INTENT_DATA_FILE at start. */
    INTENT_MODEL_FILE: optionalString,
    INTENT_THRESHOLD: z.preprocess((v) => (v === undefined || v === '' ? undefined : Number(v)), z.number().min(0).max(1).optional()),

    // Post-conversation QA of every closed conversation (workflows/qa.ts).
    QA_SCORECARD: optionalString,
    QA_JUDGE: bool(true),
    QA_ALERT_BELOW: z.preprocess((v) => (v === undefined || v === '' ? undefined : Number(v)), z.number().min(0).max(100).optional()),
    QA_LEADS: optionalString,
    QA_REPORT_CRON: z
      .string()
      .regex(/^\s*(@\w+|\S+(\s+\S+){4})\s*$/, 'a cron expression with 5 fields, e.g. "0 9 * * mon", or @weekly')
      .default('0 9 * * mon'),

    // Customer profiles, outreach campaigns and demand insights (engagement/).
    KEFU_CAMPAIGNS_DIR: optionalString,
    KEFU_SCHEDULES: bool(true),
    SLACK_INSIGHTS_CHANNEL: z.string().default('kefu-insights'),

    WECHATY_PUPPET: optionalString,
    WECHATY_PUPPET_SERVICE_TOKEN: optionalString,
    WECHATY_NAME: z.string().default('kefu'),

    // Ops console, metrics and the embeddable chat widget (bots/console, bots/metrics-route.ts).
    CONSOLE_USERS: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(
          /^\s*[\w.@-]+:(agent|supervisor|admin):[^,\s]+(\s*,\s*[\w.@-]+:(agent|supervisor|admin):[^,\s]+)*\s*$/,
          'name:role:secret[,…] with role agent, supervisor or admin; secret from `kefu console hash-password`',
        )
        .optional(),
    ),
    CONSOLE_SESSION_TTL: duration('8h'),
    WIDGET_ORIGINS: optionalString,
    METRICS_TOKEN: optionalString,
    METRICS_PORT: int(9464, 0, 65535),
    TEMPORAL_METRICS_ADDRESS: z
      .string()
      .regex(/^(off|\S+:\d{1,5})$/, 'host:port (port 0 = any free port) or off')
      .default('127.0.0.1:0'),
  });

type Env = Record<string, string | undefined>;

/**
 * Rules between variables, checked on the raw environment so they are reported together with field errors
 * (a schema refinement would only run once every field parsed).
 */
function crossFieldProblems(env: Env): { variable: string; message: string }[] {
  const set = (k: string) => typeof env[k] === 'string' && env[k] !== '';
  const rules: [boolean, string, string][] = [
    [set('TEMPORAL_TLS_CERT_PATH') && !set('TEMPORAL_TLS_KEY_PATH'), 'TEMPORAL_TLS_KEY_PATH', 'required when TEMPORAL_TLS_CERT_PATH is set'],
    [set('TEMPORAL_TLS_KEY_PATH') && !set('TEMPORAL_TLS_CERT_PATH'), 'TEMPORAL_TLS_CERT_PATH', 'required when TEMPORAL_TLS_KEY_PATH is set'],
    [set('TEMPORAL_API_KEY') && !set('TEMPORAL_ADDRESS'), 'TEMPORAL_ADDRESS', 'required when TEMPORAL_API_KEY is set (Temporal Cloud endpoint)'],
    [set('MicrosoftAppId') && !set('MicrosoftAppPassword') && env.MicrosoftAppType !== 'UserAssignedMSI', 'MicrosoftAppPassword', 'required when MicrosoftAppId is set'],
    [env.MicrosoftAppType === 'SingleTenant' && !set('MicrosoftAppTenantId'), 'MicrosoftAppTenantId', 'required for a SingleTenant bot'],
    [set('SLACK_BOT_TOKEN') && !set('SLACK_SIGNING_SECRET') && !set('SLACK_APP_TOKEN'), 'SLACK_SIGNING_SECRET', 'required when SLACK_BOT_TOKEN is set (or set SLACK_APP_TOKEN for Socket Mode)'],
    [set('SLACK_APP_TOKEN') && !set('SLACK_BOT_TOKEN'), 'SLACK_BOT_TOKEN', 'required when SLACK_APP_TOKEN is set'],
    [env.AGENT_DESK === 'slack' && !set('SLACK_BOT_TOKEN'), 'SLACK_BOT_TOKEN', 'required when AGENT_DESK=slack'],
    [set('WECHATY_PUPPET_SERVICE_TOKEN') && !set('WECHATY_PUPPET'), 'WECHATY_PUPPET', 'required when WECHATY_PUPPET_SERVICE_TOKEN is set'],
    [env.NODE_ENV === 'production' && (env.CONSOLE_USERS ?? '').split(',').some((u) => u.includes(':') && !/:scrypt\$/.test(u)), 'CONSOLE_USERS', 'plain passwords are for development; use hashes from `kefu console hash-password` in production'],
    [env.EMBEDDINGS_PROVIDER === 'openai' && !set('OPENAI_API_KEY') && !set('OPENAI_BASE_URL'), 'OPENAI_API_KEY', 'required when EMBEDDINGS_PROVIDER=openai'],
  ];
  return rules.filter(([bad]) => bad).map(([, variable, message]) => ({ variable, message }));
}

export type Config = z.output<typeof configSchema>;

/** Thrown with every bad variable at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(config)',
      message: issue.message,
    }))),
    ...crossFieldProblems(env),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

/** Absolute path of a file inside the data folder. */
export function dataPath(config: Pick<Config, 'KEFU_DATA_DIR'>, ...segments: string[]): string {
  return path.resolve(config.KEFU_DATA_DIR, ...segments);
}

/** Names of settings whose values must never appear in logs or status output. */
export const SECRET_KEYS = [
  'DATABASE_URL',
  'TEMPORAL_API_KEY',
  'OPENAI_API_KEY',
  'MicrosoftAppPassword',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'INBOX_TOKEN',
  'WECHATY_PUPPET_SERVICE_TOKEN',
  'CONSOLE_USERS',
  'METRICS_TOKEN',
] as const;

/** A database URL with its password removed, safe to print. */
export function describeDatabase(config: Pick<Config, 'DATABASE_URL' | 'KEFU_DATA_DIR'>): string {
  if (!config.DATABASE_URL) return `PGlite (embedded) at ${dataPath(config, 'pglite')}`;
  const u = new URL(config.DATABASE_URL);
  if (u.password) u.password = '***';
  return `PostgreSQL ${u.toString()}`;
}
