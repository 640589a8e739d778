// Every workflow the worker registers; the bundler starts from this file.
export { conversationWorkflow } from './conversation.js';
export { handoffWorkflow } from './handoff.js';
export { riskEscalationWorkflow } from './risk-escalation.js';
export { outreachWorkflow } from './outreach.js';
export { campaignRunWorkflow } from './campaign-run.js';
export { insightsWorkflow } from './insights.js';
export { qaWorkflow, qaReportWorkflow } from './qa.js';
