// Every workflow the worker registers; the bundler starts from this file.
export { conversationWorkflow } from './conversation.js';
export { handoffWorkflow } from './handoff.js';
export { riskEscalationWorkflow } from './risk-escalation.js';
export { outreachWorkflow } from './outreach.js';
export { campaignRunWorkflow } from './campaign-run.js';
export { insightsWorkflow } from './insights.js';
export { qaWorkflow, qaReportWorkflow } from './qa.js';
// Started by intent routing (config/routing.yaml); the names routing may use are listed in routed.ts.
export { tradeInLead } from './trade-in-lead.js';
