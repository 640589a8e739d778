import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RiskActionRequest, RiskEscalationView, RiskOccurrence } from './risk-types.js';

/**
 * The risk escalation workflow's messages, importable by workflow code and by the gateway (Slack buttons, console
 * endpoints) alike. People's actions are updates so the second acknowledgement is refused inside the workflow and
 * the clicker learns who was first.
 */

/** A risky message for this escalation's conversation and category; the first one opens the escalation. */
export const riskOccurrenceSignal = defineSignal<[RiskOccurrence]>('riskOccurrence');

export const acknowledgeRiskUpdate = defineUpdate<RiskEscalationView, [RiskActionRequest]>('acknowledge');
export const takeOverRiskUpdate = defineUpdate<RiskEscalationView, [RiskActionRequest]>('takeOver');
export const falsePositiveRiskUpdate = defineUpdate<RiskEscalationView, [RiskActionRequest]>('falsePositive');

export const riskEscalationQuery = defineQuery<RiskEscalationView>('riskEscalation');

/**
 * Why an action was refused (the ApplicationFailure type of a rejected update): already done by someone, the
 * escalation is closed, the button belongs to an older escalation, or the escalation is still being opened.
 */
export type RiskRefusal = 'already_acknowledged' | 'already_taken_over' | 'closed' | 'stale' | 'not_ready';
