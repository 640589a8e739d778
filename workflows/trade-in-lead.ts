import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DeskKind } from '../bots/agent-desk.js';
import { activityProfiles } from './profiles.js';
import type { RoutedWorkflowInput } from './routed.js';

// Recording is quick database work; the desk post retries until the desk answers (a Slack outage heals by itself).
const { recordLead } = proxyActivities<Activities>(activityProfiles.bookkeeping);
const { postLeadToDesk } = proxyActivities<Activities>(activityProfiles.desk);

export interface TradeInLeadResult {
  leadId: string;
  desk: DeskKind;
}

/**
 * A customer wants to trade in an old device (config/routing.yaml: `trade_in: { action: workflow, workflow:
 * tradeInLead }`). The conversation workflow has already acknowledged the customer; this workflow, started as its
 * abandoned child with the routed message as input, books the callback:
 *   1. record the lead (table `leads`), so it is never lost whatever happens next;
 *   2. post it to the agent desk queue, where a trade-in specialist picks it up and calls the customer back.
 * Each step is an activity, so the workflow's history in the Temporal UI shows exactly what happened to the lead.
 *
 * It is the example to copy for other back-office follow-ups: take `RoutedWorkflowInput`, keep I/O in activities,
 * export the workflow from workflows/index.ts and list its name in ROUTABLE_WORKFLOWS (workflows/routed.ts).
 */
export async function tradeInLead(input: RoutedWorkflowInput): Promise<TradeInLeadResult> {
  const { leadId } = await recordLead({ kind: 'trade_in', workflowId: workflowInfo().workflowId, request: input });
  const posted = await postLeadToDesk({ leadId, title: 'Trade-in lead' });
  return { leadId, desk: posted.desk };
}
