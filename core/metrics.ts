import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus series the platform exports, in one registry of its own (not prom-client's global one, so a
 * library registering metrics cannot collide with ours). Features record through this module only:
 *
 *   metrics.handoffs.inc({ queue: 'general' });
 *   metrics.qaScore.observe({ channel: 'web' }, 87);
 *
 * One process-wide instance: Prometheus scrapes a process, and counters must survive a platform restart in tests.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'kefu_' });

/** Seconds; from 50 ms (a cached FAQ answer) to 2 min (a channel retrying through an outage). */
const LATENCY_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 120];
/** Seconds a customer waits for a person: up to an hour. */
const WAIT_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export const metrics = {
  /** Customer messages stored for the first time (repeats of a message id are counted in `inboundDuplicates`). */
  inboundMessages: new Counter({
    name: 'kefu_messages_inbound_total',
    help: 'Customer messages accepted, by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
  }),
  inboundDuplicates: new Counter({
    name: 'kefu_messages_inbound_duplicate_total',
    help: 'Customer messages received again with a known message id (channel retries), by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
  }),
  /** From the customer message being stored to the reply handed to the channel (measured in the deliver activity). */
  replyLatency: new Histogram({
    name: 'kefu_reply_latency_seconds',
    help: 'Seconds from a customer message stored to the bot reply stored and delivered, by channel',
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  deliveries: new Counter({
    name: 'kefu_deliveries_total',
    help: 'Outbound messages delivered, by channel and role (bot, agent, system)',
    labelNames: ['channel', 'role'] as const,
    registers: [registry],
  }),
  /** kind: transient (retried), permanent (recorded as failed), gave_up (retries exhausted). */
  deliveryFailures: new Counter({
    name: 'kefu_delivery_failures_total',
    help: 'Failed delivery attempts, by channel and kind (transient, permanent, gave_up)',
    labelNames: ['channel', 'kind'] as const,
    registers: [registry],
  }),
  handoffs: new Counter({
    name: 'kefu_handoffs_total',
    help: 'Conversations handed to a person, by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  handoffWait: new Histogram({
    name: 'kefu_handoff_wait_seconds',
    help: 'Seconds a handed-off customer waited until an agent claimed the conversation, by queue',
    labelNames: ['queue'] as const,
    buckets: WAIT_BUCKETS,
    registers: [registry],
  }),
  qaScore: new Histogram({
    name: 'kefu_qa_score',
    help: 'QA score (0-100) of scored conversations, by channel',
    labelNames: ['channel'] as const,
    buckets: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    registers: [registry],
  }),
  qaFindings: new Counter({
    name: 'kefu_qa_findings_total',
    help: 'QA findings raised, by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
  }),
  riskEvents: new Counter({
    name: 'kefu_risk_events_total',
    help: 'Customer messages the risk detector flagged, by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
  }),
  riskEscalations: new Counter({
    name: 'kefu_risk_escalations_total',
    help: 'Risk escalations opened, by category and severity',
    labelNames: ['category', 'severity'] as const,
    registers: [registry],
  }),
  httpRequests: new Histogram({
    name: 'kefu_http_request_duration_seconds',
    help: 'Gateway HTTP requests, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
  /** State read from the database at scrape time (see `refreshStateGauges`); the same value on every gateway. */
  openConversations: new Gauge({
    name: 'kefu_conversations_open',
    help: 'Conversations not closed, by status (bot, waiting_agent, with_agent)',
    labelNames: ['status'] as const,
    registers: [registry],
  }),
  handoffQueue: new Gauge({
    name: 'kefu_handoff_queue_waiting',
    help: 'Handoffs waiting for an agent, by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  openRiskEscalations: new Gauge({
    name: 'kefu_risk_escalations_open',
    help: 'Risk escalations open, acknowledged or taken over, by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
  }),
};

export type Metrics = typeof metrics;

/** Seconds since an ISO timestamp, never negative (clocks of gateway, worker and database differ slightly). */
export function secondsSince(iso: string, now = Date.now()): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, (now - t) / 1000) : 0;
}
