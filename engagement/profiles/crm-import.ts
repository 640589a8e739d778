import type { Store } from '../../core/store/index.js';
import { CrmConflictError } from '../../core/store/crm.js';
import { evaluateCustomerFlags } from '../flags/evaluate.js';
import type { FlaggingConfig } from '../flags/rules.js';
import type { RawCrmRow } from './crm-file.js';
import { toCrmRecord } from './crm-schema.js';

export interface RejectedRow {
  row: number;
  crmId?: string;
  reasons: string[];
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Channel-first customers folded into CRM customers. */
  merged: number;
  identitiesLinked: number;
  flagsRaised: number;
  rejected: RejectedRow[];
}

/**
 * Applies a CRM export row by row: each valid row in its own transaction (one bad row never blocks the others), each
 * invalid row reported with every reason. Keyed by CRM id, so importing the same file again changes nothing.
 */
export async function importCustomers(store: Store, rows: RawCrmRow[], opts: { flagging: FlaggingConfig; now?: Date }): Promise<ImportReport> {
  const report: ImportReport = { rows: rows.length, created: 0, updated: 0, unchanged: 0, merged: 0, identitiesLinked: 0, flagsRaised: 0, rejected: [] };
  const firstSeen = new Map<string, number>();
  for (const { row, data } of rows) {
    const crmId = typeof data.crmId === 'string' || typeof data.crmId === 'number' ? String(data.crmId).trim() : undefined;
    const reject = (reasons: string[]) => report.rejected.push({ row, ...(crmId ? { crmId } : {}), reasons });
    if ('__notAnObject' in data) {
      reject(['row: expected an object']);
      continue;
    }
    if (typeof data.__extraFields === 'number') {
      reject([`row: ${data.__extraFields} more field(s) than the header has columns`]);
      continue;
    }
    const checked = toCrmRecord(data, opts.flagging.tiers);
    if ('reasons' in checked) {
      reject(checked.reasons);
      continue;
    }
    const earlier = firstSeen.get(checked.record.crmId);
    if (earlier !== undefined) {
      reject([`crmId: duplicate of row ${earlier}`]);
      continue;
    }
    firstSeen.set(checked.record.crmId, row);
    try {
      const result = await store.upsertCrmCustomer(checked.record, checked.hash);
      report[result.outcome] += 1;
      report.merged += result.merged.length;
      report.identitiesLinked += result.identitiesLinked;
      if (result.outcome !== 'unchanged') {
        report.flagsRaised += (await evaluateCustomerFlags(store, opts.flagging, result.customerId, opts.now)).length;
      }
    } catch (err) {
      if (!(err instanceof CrmConflictError)) throw err;
      reject([err.message]);
    }
  }
  return report;
}
