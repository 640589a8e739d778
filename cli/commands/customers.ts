import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Store } from '../../core/store/index.js';
import type { ImportReport } from '../../engagement/profiles/crm-import.js';
import { UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

/**
 * `kefu customers …`: customer profiles. These commands open the database directly — with the embedded PGlite
 * database, stop `kefu start` first (PGlite belongs to one process); with DATABASE_URL they run alongside it.
 */
export function register(program: Command): void {
  const customers = program.command('customers').description('customer profiles: CRM import, profile view, merges');
  registerImport(customers);
  registerShow(customers);
  registerMerge(customers);
}


function registerImport(customers: Command): void {
  customers
    .command('import')
    .description('import a CRM export (.csv or .json), keyed by CRM id: re-importing the same file changes nothing')
    .argument('<file>', 'CRM export: CSV with a crm_id column, or a JSON array of {"crmId", …}')
    .option('--json', 'print the report as JSON', false)
    .action(async (file: string, opts: { json: boolean }) => {
      const { CrmFileError, readCrmFile } = await import('../../engagement/profiles/crm-file.js');
      const { FlaggingConfigError, loadFlagging } = await import('../../engagement/flags/rules.js');
      const { importCustomers } = await import('../../engagement/profiles/crm-import.js');
      const loaded = (() => {
        try {
          return { flagging: loadFlagging(), rows: readCrmFile(file) };
        } catch (err) {
          if (err instanceof CrmFileError || err instanceof FlaggingConfigError) throw new UsageError(err.message);
          throw err;
        }
      })();
      const { flagging, rows } = loaded;
      const report = await withStore((store) => importCustomers(store, rows, { flagging }));
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(file, report));
      // Every valid row was imported; the exit code tells a script that some were not.
      if (report.rejected.length > 0) process.exitCode = 1;
    });
}

function formatReport(file: string, r: ImportReport): string {
  const lines = [
    `${file}: ${r.rows} row(s): ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected.length} rejected`,
    `  ${r.merged} channel customer(s) merged into CRM customers, ${r.identitiesLinked} identit(ies) linked, ${r.flagsRaised} flag(s) raised`,
  ];
  if (r.rejected.length) {
    lines.push('rejected rows:');
    for (const x of r.rejected) lines.push(`  row ${x.row}${x.crmId ? ` (${x.crmId})` : ''}: ${x.reasons.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function registerShow(customers: Command): void {
  customers
    .command('show')
    .description('print a customer profile as JSON: identities, consents, flags (with why and until when), merges')
    .argument('<customer>', 'customer id, or crm:<CRM id>')
    .action(async (ref: string) => {
      const profile = await withStore(async (store) => {
        const id = await resolveRef(store, ref);
        const p = id ? await store.getProfile(id) : null;
        if (!p) return null;
        const now = new Date();
        const [identities, consents, flags, merges] = await Promise.all([store.listIdentities(p.id), store.listConsents(p.id), store.listAllFlags(p.id), store.listMerges(p.id)]);
        return { ...p, identities, consents, flags: flags.map((f) => ({ ...f, active: new Date(f.expiresAt) > now })), merges };
      });
      if (!profile) throw new UsageError(`no customer ${ref}`);
      process.stdout.write(`${JSON.stringify(profile, null, 2)}\n`);
    });
}

function registerMerge(customers: Command): void {
  customers
    .command('merge')
    .description('merge one customer into another (identities, conversations, history, consents, flags move; audited)')
    .argument('<from>', 'customer id (or crm:<CRM id>) that disappears into <into>')
    .argument('<into>', 'customer id (or crm:<CRM id>) that remains')
    .requiredOption('--reason <text>', 'why: kept in the audit trail')
    .action(async (fromRef: string, intoRef: string, opts: { reason: string }) => {
      const result = await withStore(async (store) => {
        const [from, into] = [await resolveRef(store, fromRef), await resolveRef(store, intoRef)];
        if (!from) throw new UsageError(`no customer ${fromRef}`);
        if (!into) throw new UsageError(`no customer ${intoRef}`);
        const { MergeError } = await import('../../core/store/customer-merge.js');
        try {
          return await store.mergeCustomers(from, into, { actor: `cli:${userInfo().username}`, reason: opts.reason });
        } catch (err) {
          if (err instanceof MergeError) throw new UsageError(err.message);
          throw err;
        }
      });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });
}

async function resolveRef(store: Store, ref: string): Promise<string | null> {
  return ref.startsWith('crm:') ? store.customerIdByCrmId(ref.slice(4)) : store.canonicalCustomerId(ref);
}
