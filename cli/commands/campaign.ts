import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../core/config.js';
import { CampaignConfigError, DEFAULT_CAMPAIGNS_DIR, loadCampaign, loadCampaigns, type CampaignDefinition } from '../../engagement/campaigns/campaign-config.js';
import type { CampaignAction } from '../../engagement/campaigns/launch.js';
import { loadOutreachSettings, OutreachConfigError } from '../../engagement/campaigns/settings.js';
import type { CampaignRunResult } from '../../workflows/outreach-types.js';
import { UsageError } from '../errors.js';

/**
 * `kefu campaign …`: proactive outreach campaigns (config/campaigns/<name>.yaml). `list` only reads the files; the
 * other commands talk to the running platform through Temporal (the worker does the work). The Temporal client is
 * loaded only by the commands that use it, so `kefu --help` stays quick.
 */
const temporalTools = async () => ({ ...(await import('../../engagement/campaigns/launch.js')), ...(await import('../runtime/temporal-client.js')) });
export function register(program: Command): void {
  const campaign = program.command('campaign').description('proactive outreach campaigns (config/campaigns/<name>.yaml)');
  campaign
    .command('list')
    .description('check every campaign file and list the campaigns')
    .action(() => {
      const { dir, settings } = campaignSources(loadConfig());
      const all = configError(() => loadCampaigns(dir, settings));
      for (const [name, c] of all) {
        const audience = [...c.plan.audience.flags.map((f) => `flag:${f}`), ...c.plan.audience.tags.map((t) => `tag:${t}`), ...c.plan.audience.tiers.map((t) => `tier:${t}`)].join(' ');
        process.stdout.write(`${name}\t${c.enabled ? 'enabled' : 'disabled'}\t${c.plan.purpose}\t${c.schedule ? `${c.schedule.cron} (${c.schedule.timezone})` : 'manual'}\t${audience}\t${c.plan.steps.length} step(s)\n`);
      }
    });
  campaign
    .command('run')
    .description('run a campaign now; --dry-run lists who would get what and sends nothing')
    .argument('<name>', 'campaign name (file config/campaigns/<name>.yaml)')
    .option('--dry-run', 'preview only: nothing is sent or recorded', false)
    .option('--json', 'print the result as JSON', false)
    .option('--timeout <seconds>', 'how long to wait for the worker', '120')
    .action(async (name: string, opts: { dryRun: boolean; json: boolean; timeout: string }) => {
      const config = loadConfig();
      const def = loadOne(config, name);
      if (!def.enabled && !opts.dryRun) throw new UsageError(`campaign ${name} is disabled (enabled: false in ${def.file})`);
      const { connectCliClient, runCampaign, NoWorkerError } = await temporalTools();
      const temporal = await connectCliClient(config);
      try {
        const result = await runCampaign(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, campaign: def, dryRun: opts.dryRun, timeoutMs: Number(opts.timeout) * 1000 });
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatRun(result));
      } catch (err) {
        if (err instanceof NoWorkerError) throw new UsageError(err.message);
        throw err;
      } finally {
        await temporal.close();
      }
    });
  for (const action of ['pause', 'resume', 'cancel'] as const) registerSignal(campaign, action);
  campaign
    .command('status')
    .description('how many outreach workflows of a campaign are running')
    .argument('<name>', 'campaign name')
    .action(async (name: string) => {
      checkCampaignName(name);
      const config = loadConfig();
      const { connectCliClient, listCampaignWorkflows } = await temporalTools();
      const temporal = await connectCliClient(config);
      try {
        const ids = await listCampaignWorkflows(temporal.client, config.TEMPORAL_TASK_QUEUE, name);
        process.stdout.write(`${name}: ${ids.length} outreach workflow(s) running\n`);
      } finally {
        await temporal.close();
      }
    });
}

const DESCRIPTIONS: Record<CampaignAction, string> = {
  pause: 'hold every running outreach of a campaign before its next send, and pause its schedule',
  resume: 'let paused outreach of a campaign continue, and unpause its schedule',
  cancel: 'end every running outreach of a campaign (recorded as cancelled), and pause its schedule',
};

function registerSignal(campaign: Command, action: CampaignAction): void {
  campaign
    .command(action)
    .description(DESCRIPTIONS[action])
    .argument('<name>', 'campaign name')
    .action(async (name: string) => {
      checkCampaignName(name);
      const config = loadConfig();
      const { connectCliClient, signalCampaign } = await temporalTools();
      const temporal = await connectCliClient(config);
      try {
        const r = await signalCampaign(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, campaign: name, action, by: `cli:${userInfo().username}` });
        const schedule = r.schedule === 'none' ? 'no schedule' : `schedule ${r.schedule}`;
        process.stdout.write(`${name}: ${action} sent to ${r.signalled} outreach workflow(s); ${schedule}\n`);
      } finally {
        await temporal.close();
      }
    });
}

function checkCampaignName(name: string): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new UsageError(`"${name}" is not a campaign name (lower-case letters, digits, - and _)`);
}

function campaignSources(config: Config) {
  return { dir: config.KEFU_CAMPAIGNS_DIR ?? DEFAULT_CAMPAIGNS_DIR, settings: configError(() => loadOutreachSettings()) };
}

function loadOne(config: Config, name: string): CampaignDefinition {
  const { dir, settings } = campaignSources(config);
  return configError(() => loadCampaign(dir, name, settings));
}

function configError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CampaignConfigError || err instanceof OutreachConfigError) throw new UsageError(err.message);
    throw err;
  }
}

function formatRun(r: CampaignRunResult): string {
  if (!r.dryRun) {
    return `${r.campaign}: ${r.totals.selected} customer(s) selected, ${r.totals.started} outreach workflow(s) started, ${r.totals.alreadyRunning} already running\n`;
  }
  const rows = r.preview ?? [];
  const lines = [`${r.campaign} (dry run, nothing sent): ${rows.length} customer(s) in the audience`];
  for (const p of rows) {
    const who = `${p.customerId}${p.name ? ` (${p.name})` : ''}`;
    const what = p.decision === 'send' ? `send on ${p.channel} [${p.language}]: ${p.text}` : `${p.decision}${p.channel ? ` on ${p.channel}` : ''}: ${p.reason}${p.text ? ` — "${p.text}"` : ''}`;
    lines.push(`  ${who}: ${what}`);
  }
  return `${lines.join('\n')}\n`;
}
