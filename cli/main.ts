import { Command, CommanderError } from 'commander';
import dotenv from 'dotenv';
import { ConfigError } from '../core/config.js';
import { UsageError } from './errors.js';
import { register as registerIngest } from './commands/ingest.js';
import { register as registerIntent } from './commands/intent.js';
import { register as registerQa } from './commands/qa.js';
import { register as registerRisk } from './commands/risk.js';
import { register as registerStart } from './commands/start.js';
import { register as registerConsole } from './commands/console.js';
import { register as registerCustomers } from './commands/customers.js';
import { register as registerCampaign } from './commands/campaign.js';

type Registrar = (program: Command) => void;

/** Subcommand groups; each file registers itself so features stay in their own modules. */
const COMMANDS: Registrar[] = [registerStart, registerIngest, registerIntent, registerQa, registerRisk, registerConsole, registerCustomers, registerCampaign];

export function buildProgram(extra: Registrar[] = []): Command {
  const program = new Command('kefu')
    .description('AI customer-service platform: channels, RAG bot, durable handoff, QA, risk and outreach on Temporal')
    .version('0.1.0')
    .showHelpAfterError();
  for (const reg of [...COMMANDS, ...extra]) reg(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  dotenv.config({ quiet: true });
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`kefu: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`kefu: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.KEFU_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  }
}
