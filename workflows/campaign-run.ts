import { continueAsNew, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { outreachWorkflow } from './outreach.js';
import { outreachWorkflowId } from './outreach-api.js';
import type { CampaignRunInput, CampaignRunResult, CampaignRunTotals } from './outreach-types.js';
import { activityProfiles } from './profiles.js';

const { selectCampaignAudience, previewCampaignAudience, refreshFlagsPage } = proxyActivities<Activities>(activityProfiles.batch);

const PAGE = 100;
const PREVIEW_MAX = 200;

const isAlreadyStarted = (err: unknown) => err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError';

/**
 * One run of a campaign, started by its Temporal Schedule or `kefu campaign run`: refreshes the audience's flags,
 * then pages through the audience and starts one `outreachWorkflow` per customer (abandoned on close, so they outlive
 * this run). A customer whose outreach is still running is counted, not restarted. `dryRun` previews the first
 * customers instead and starts nothing.
 */
export async function campaignRunWorkflow(input: CampaignRunInput): Promise<CampaignRunResult> {
  const { plan } = input;
  const totals: CampaignRunTotals = { ...(input.totals ?? { selected: 0, started: 0, alreadyRunning: 0 }) };
  if (input.refreshFlags && input.cursor === undefined) {
    let after: string | null = null;
    do after = await refreshFlagsPage({ after });
    while (after !== null);
  }
  if (input.dryRun) {
    const ids = await selectCampaignAudience({ plan, after: null, limit: Math.min(PREVIEW_MAX, plan.maxRecipientsPerRun) });
    const preview = await previewCampaignAudience({ plan, customerIds: ids });
    return { campaign: plan.name, dryRun: true, totals: { selected: ids.length, started: 0, alreadyRunning: 0 }, preview };
  }

  let cursor = input.cursor ?? null;
  while (totals.selected < plan.maxRecipientsPerRun) {
    const ids = await selectCampaignAudience({ plan, after: cursor, limit: Math.min(PAGE, plan.maxRecipientsPerRun - totals.selected) });
    if (ids.length === 0) break;
    totals.selected += ids.length;
    cursor = ids[ids.length - 1] as string;
    await Promise.all(
      ids.map((customerId) =>
        startChild(outreachWorkflow, {
          workflowId: outreachWorkflowId(plan.name, customerId),
          args: [{ plan, customerId }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }).then(
          () => {
            totals.started += 1;
          },
          (err: unknown) => {
            if (!isAlreadyStarted(err)) throw err;
            totals.alreadyRunning += 1;
          },
        ),
      ),
    );
    if (ids.length < PAGE) break;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof campaignRunWorkflow>({ ...input, refreshFlags: false, cursor, totals });
  }
  return { campaign: plan.name, dryRun: false, totals };
}
