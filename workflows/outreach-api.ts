import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { OutreachStatus } from './outreach-types.js';

/** Signals and queries of `outreachWorkflow`, importable by clients (CLI, console) without the workflow itself. */
export const pauseOutreachSignal = defineSignal('pauseOutreach');
export const resumeOutreachSignal = defineSignal('resumeOutreach');
export const cancelOutreachSignal = defineSignal<[{ by: string }]>('cancelOutreach');
export const outreachStatusQuery = defineQuery<OutreachStatus>('outreachStatus');

/** Workflow id of one customer's run of one campaign. */
export const outreachWorkflowId = (campaign: string, customerId: string) => `outreach:${campaign}:${customerId}`;
