import type { Db } from '../db/types.js';
import * as conversations from './conversations.js';
import * as customers from './customers.js';
import * as deliveries from './deliveries.js';
import * as inbound from './inbound.js';
import * as messages from './messages.js';
import * as risk from './risk.js';
import * as consents from './consents.js';
import * as crm from './crm.js';
import * as customerMerge from './customer-merge.js';
import * as flags from './flags.js';
import * as insights from './insights.js';
import * as outreach from './outreach.js';
import * as profiles from './profiles.js';
import * as turnOutcomes from './turn-outcomes.js';
import * as handoffs from './handoffs.js';
import * as agentDesk from './agent-desk.js';
import * as qa from './qa.js';
import * as consoleSessions from './console.js';
import * as conversationSearch from './conversation-search.js';
import * as conversationDetail from './conversation-detail.js';
import * as metrics from './metrics.js';
import * as messageFeed from './message-feed.js';
import * as leads from './leads.js';

/** The data-access module: every query the platform runs lives in `core/store/`, bound here to one database. */
export function createStore(db: Db) {
  return {
    db,
    recordInbound: inbound.recordInbound.bind(null, db),
    resolveCustomer: customers.resolveCustomer.bind(null, db),
    getConversation: conversations.getConversation.bind(null, db),
    setConversationStatus: conversations.setConversationStatus.bind(null, db),
    insertMessage: messages.insertMessage.bind(null, db),
    listMessages: messages.listMessages.bind(null, db),
    markDispatched: messages.markDispatched.bind(null, db),
    listUndispatched: messages.listUndispatched.bind(null, db),
    beginDelivery: deliveries.beginDelivery.bind(null, db),
    completeDelivery: deliveries.completeDelivery.bind(null, db),
    recordDeliveryError: deliveries.recordDeliveryError.bind(null, db),
    getDelivery: deliveries.getDelivery.bind(null, db),
    listDeliveries: deliveries.listDeliveries.bind(null, db),
    // Risk events, escalations, their audit trail and false-positive feedback (migration 0006).
    customerTier: risk.customerTier.bind(null, db),
    recordRiskEvent: risk.recordRiskEvent.bind(null, db),
    listRiskEvents: risk.listRiskEvents.bind(null, db),
    openRiskEscalation: risk.openRiskEscalation.bind(null, db),
    recordRiskRepeat: risk.recordRiskRepeat.bind(null, db),
    setRiskAlertRef: risk.setRiskAlertRef.bind(null, db),
    recordRiskEscalationEvent: risk.recordRiskEscalationEvent.bind(null, db),
    setRiskEscalationStatus: risk.setRiskEscalationStatus.bind(null, db),
    recordRiskFeedback: risk.recordRiskFeedback.bind(null, db),
    listRiskFeedback: risk.listRiskFeedback.bind(null, db),
    getRiskEscalation: risk.getRiskEscalation.bind(null, db),
    listRiskEscalations: risk.listRiskEscalations.bind(null, db),
    listRiskEscalationEvents: risk.listRiskEscalationEvents.bind(null, db),
    // Customer profiles, flags, outreach and insights (migration 0007).
    canonicalCustomerId: profiles.canonicalCustomerId.bind(null, db),
    getProfile: profiles.getProfile.bind(null, db),
    listIdentities: profiles.listIdentities.bind(null, db),
    patchProfile: profiles.patchProfile.bind(null, db),
    saveConversationSignals: profiles.saveConversationSignals.bind(null, db),
    recentSentiments: profiles.recentSentiments.bind(null, db),
    setSentiment: profiles.setSentiment.bind(null, db),
    markProfileUpdated: profiles.markProfileUpdated.bind(null, db),
    intentCounts: profiles.intentCounts.bind(null, db),
    riskCategoryCounts: profiles.riskCategoryCounts.bind(null, db),
    contactStats: profiles.contactStats.bind(null, db),
    listCustomerIds: profiles.listCustomerIds.bind(null, db),
    mergeCustomers: customerMerge.mergeCustomers.bind(null, db),
    listMerges: customerMerge.listMerges.bind(null, db),
    upsertCrmCustomer: crm.upsertCrmCustomer.bind(null, db),
    customerIdByCrmId: crm.customerIdByCrmId.bind(null, db),
    listConsents: consents.listConsents.bind(null, db),
    setConsent: consents.setConsent.bind(null, db),
    raiseFlag: flags.raiseFlag.bind(null, db),
    listActiveFlags: flags.listActiveFlags.bind(null, db),
    listAllFlags: flags.listAllFlags.bind(null, db),
    recordTurnOutcome: turnOutcomes.recordTurnOutcome.bind(null, db),
    findCustomerMessageId: turnOutcomes.findCustomerMessageId.bind(null, db),
    customerMessagesBetween: turnOutcomes.customerMessagesBetween.bind(null, db),
    conversationIntents: turnOutcomes.conversationIntents.bind(null, db),
    getOutreachSend: outreach.getOutreachSend.bind(null, db),
    claimOutreachSend: outreach.claimOutreachSend.bind(null, db),
    setOutreachSendStatus: outreach.setOutreachSendStatus.bind(null, db),
    countRecentSends: outreach.countRecentSends.bind(null, db),
    recordOutreachEvent: outreach.recordOutreachEvent.bind(null, db),
    listOutreachEvents: outreach.listOutreachEvents.bind(null, db),
    campaignOutcomeCounts: outreach.campaignOutcomeCounts.bind(null, db),
    hasReplied: outreach.hasReplied.bind(null, db),
    latestDeliveredSend: outreach.latestDeliveredSend.bind(null, db),
    tagConversationWithCampaign: outreach.tagConversationWithCampaign.bind(null, db),
    conversationCampaign: outreach.conversationCampaign.bind(null, db),
    latestConversationPerChannel: outreach.latestConversationPerChannel.bind(null, db),
    campaignAudience: outreach.campaignAudience.bind(null, db),
    saveDigest: insights.saveDigest.bind(null, db),
    getDigest: insights.getDigest.bind(null, db),
    listDigests: insights.listDigests.bind(null, db),
    markDigestPosted: insights.markDigestPosted.bind(null, db),
    // Human handoff and the agent desks (migration 0004).
    insertHandoff: handoffs.insertHandoff.bind(null, db),
    getHandoff: handoffs.getHandoff.bind(null, db),
    findHandoffByCard: handoffs.findHandoffByCard.bind(null, db),
    setHandoffCard: handoffs.setHandoffCard.bind(null, db),
    markHandoffQueued: handoffs.markHandoffQueued.bind(null, db),
    markHandoffClaimed: handoffs.markHandoffClaimed.bind(null, db),
    markHandoffEnded: handoffs.markHandoffEnded.bind(null, db),
    setHandoffRisk: handoffs.setHandoffRisk.bind(null, db),
    listHandoffs: handoffs.listHandoffs.bind(null, db),
    handoffQueuePosition: handoffs.handoffQueuePosition.bind(null, db),
    recentClaimWaitMs: handoffs.recentClaimWaitMs.bind(null, db),
    recordAgentRelay: handoffs.recordAgentRelay.bind(null, db),
    listAgentRelays: handoffs.listAgentRelays.bind(null, db),
    getCustomerName: handoffs.getCustomerName.bind(null, db),
    isSlackEventProcessed: agentDesk.isSlackEventProcessed.bind(null, db),
    markSlackEventProcessed: agentDesk.markSlackEventProcessed.bind(null, db),
    getDeskPost: <T>(key: string) => agentDesk.getDeskPost<T>(db, key),
    saveDeskPost: agentDesk.saveDeskPost.bind(null, db),
    upsertInboxCard: agentDesk.upsertInboxCard.bind(null, db),
    raiseInboxAlert: agentDesk.raiseInboxAlert.bind(null, db),
    listInboxCards: <Card>(handoffIds?: string[]) => agentDesk.listInboxCards<Card>(db, handoffIds),
    appendInboxThread: agentDesk.appendInboxThread.bind(null, db),
    listInboxThread: agentDesk.listInboxThread.bind(null, db),
    // Post-conversation QA (migration 0005).
    recordQaClose: qa.recordClose.bind(null, db),
    getQaClose: qa.getClose.bind(null, db),
    markQaCloseSkipped: qa.markCloseSkipped.bind(null, db),
    listQaCloseMessages: qa.listCloseMessages.bind(null, db),
    saveQaResult: qa.saveResult.bind(null, db),
    getQaResult: qa.getResult.bind(null, db),
    getQaResultByClose: qa.getResultByClose.bind(null, db),
    listQaResultsForConversation: qa.listResultsForConversation.bind(null, db),
    listQaFindings: qa.listFindings.bind(null, db),
    getQaFinding: (id: string) => qa.getFinding(db, id),
    getQaDispute: (id: string) => qa.getDispute(db, id),
    listQaDisputes: qa.listDisputes.bind(null, db),
    claimQaAlert: qa.claimAlert.bind(null, db),
    markQaAlertSent: qa.markAlertSent.bind(null, db),
    markQaAlertFailed: qa.markAlertFailed.bind(null, db),
    getQaAlert: qa.getAlert.bind(null, db),
    listQaAlerts: qa.listAlerts.bind(null, db),
    appendAudit: qa.appendAudit.bind(null, db),
    listAudit: qa.listAudit.bind(null, db),
    qaCoverage: qa.coverage.bind(null, db),
    qaResultTotals: qa.resultTotals.bind(null, db),
    qaActorFigures: qa.actorFigures.bind(null, db),
    qaCriterionFigures: qa.criterionFigures.bind(null, db),
    qaDisputeFigures: qa.disputeFigures.bind(null, db),
    // Ops console (migration 0008): sessions, audit, and its read models over every feature's tables.
    createConsoleSession: consoleSessions.createConsoleSession.bind(null, db),
    findConsoleSession: consoleSessions.findConsoleSession.bind(null, db),
    revokeConsoleSession: consoleSessions.revokeConsoleSession.bind(null, db),
    revokeConsoleSessionByToken: consoleSessions.revokeConsoleSessionByToken.bind(null, db),
    listConsoleSessions: consoleSessions.listConsoleSessions.bind(null, db),
    purgeConsoleSessions: consoleSessions.purgeConsoleSessions.bind(null, db),
    recordConsoleAudit: consoleSessions.recordConsoleAudit.bind(null, db),
    listConsoleAudit: consoleSessions.listConsoleAudit.bind(null, db),
    consoleOverview: metrics.overview.bind(null, db),
    metricsStateGauges: metrics.stateGauges.bind(null, db),
    searchConversations: conversationSearch.searchConversations.bind(null, db),
    availableConversationFilters: conversationSearch.availableFilters.bind(null, db),
    getConversationDetail: conversationDetail.getConversationDetail.bind(null, db),
    listMessagesSince: messageFeed.listMessagesSince.bind(null, db),
    // Leads recorded by workflows that intent routing starts (migration 0009).
    recordLead: leads.recordLead.bind(null, db),
    getLead: leads.getLead.bind(null, db),
    markLeadPosted: leads.markLeadPosted.bind(null, db),
    listLeads: leads.listLeads.bind(null, db),
  };
}

export type Store = ReturnType<typeof createStore>;
export type { Conversation } from './conversations.js';
export type { Delivery, DeliveryStatus } from './deliveries.js';
export type { RecordedInbound } from './inbound.js';
export type { RiskEscalation, RiskEscalationEvent, RiskEscalationStatus, RiskEvent, RiskFeedback, StoredRiskSeverity } from './risk.js';
export type { Consent, ConsentPurpose, ConsentStatus } from './consents.js';
export type { CrmRecord, CrmUpsertResult } from './crm.js';
export type { MergeAudit, MergeResult } from './customer-merge.js';
export type { CustomerFlag } from './flags.js';
export type { StoredDigest } from './insights.js';
export type { ClaimResult, OutreachEvent, OutreachEventKind, OutreachSend, SendLimits } from './outreach.js';
export type { ConversationSignals, CustomerProfile, IntentCount } from './profiles.js';
export type { CustomerMessageFacts, TurnOutcome } from './turn-outcomes.js';
export type { AgentRelay, HandoffFilter, HandoffRecord, HandoffStatus, NewHandoff, QueuePosition } from './handoffs.js';
export type { InboxCardRow, InboxThreadEntry } from './agent-desk.js';
export type {
  AuditEntry, CloseMessage, NewQaResult, QaAlertKind, QaAlertRecord, QaClose, QaCoverage, QaDispute, QaFindingRecord, QaResultRecord,
} from './qa.js';
export type { ConsoleAuditEntry, ConsoleRole, ConsoleSession } from './console.js';
export type { ConversationFilter, ConversationSummary } from './conversation-search.js';
export type { ConversationDetail } from './conversation-detail.js';
export type { Metric, Overview, Period } from './metrics.js';
export type { Lead, NewLead } from './leads.js';
