import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startDevServer, type DevServer } from '../../core/temporal/dev-server.js';
import { startFakeConnector } from '../../test/fakes/bot-connector.js';
import { createChaos, type FaultEvent } from './chaos.js';
import { startCluster, type Cluster } from './cluster.js';
import { cpuSeconds, findPid, sampleCpuOfAll } from './cpu.js';
import { teamsCustomer, watchConnector, webCustomer, type CustomerPlan, type CustomerRun } from './customers.js';
import type { Inbox } from './inbox.js';
import type { LoadOptions } from './options.js';
import { loadQuestions } from './questions.js';
import { percentile, verify, type Verification } from './verify.js';

export interface LoadReport {
  conversations: number;
  messages: number;
  replies: number;
  lost: number;
  duplicated: number;
  /** End to end, as the customer sees it: first send attempt → reply received (event stream / Teams connector). */
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  throughput_msgs_per_s: number;
  details: {
    channels: { web: number; teams: number };
    workers: number;
    messagesPerConversation: number;
    thinkMs: number;
    rampMs: number;
    durationS: number;
    /** Server side: customer message stored → delivery marked sent (what kefu_reply_latency_seconds measures). */
    server: { p50_ms: number | null; p95_ms: number | null; p99_ms: number | null; max_ms: number | null };
    sendRetries: number;
    chaos: FaultEvent[];
    verification: Omit<Verification, 'serverLatenciesMs'>;
    restarts: { worker: number; gateway: number };
    /** Parts that exited on their own during the run (a crash is a failure even when nothing was lost). */
    crashes: { part: string; details: string }[];
    /** CPU milliseconds per accepted message, by process; `postgres` is the whole cluster's backends (approximate). */
    cpuMsPerMessage: { worker: number; gateway: number; temporal: number | null; harness: number; postgres: number };
    /** 1-minute load average of the machine at the start and at the end (other work on it skews the figures). */
    loadAverage: { start: number; end: number };
  };
}

/**
 * Drives simulated customers through the REST and Teams channels of a platform running as separate worker and gateway
 * processes, optionally with faults, and checks that every message got exactly one reply.
 */
export async function runLoad(o: LoadOptions, log: (line: string) => void = () => undefined): Promise<LoadReport> {
  const runId = randomBytes(4).toString('hex');
  const deadline = Date.now() + o.timeoutMs;
  let dev: DevServer | undefined;
  let cluster: Cluster | undefined;
  const connector = await startFakeConnector();
  const crashes: { part: string; details: string }[] = [];
  try {
    let temporalAddress = o.temporalAddress;
    if (!temporalAddress) {
      log('starting a Temporal dev server');
      dev = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, ui: false });
      temporalAddress = dev.address;
    }
    log(`starting worker and gateway (schema load_${runId})`);
    cluster = await startCluster({
      databaseUrl: o.databaseUrl,
      temporalAddress,
      runId,
      workers: o.workers,
      onCrash: (name, details) => {
        crashes.push({ part: name, details: details.slice(-2000) });
        log(`the ${name} crashed: ${details}`);
      },
    });
    const c = cluster;

    const questions = loadQuestions();
    let q = 0;
    const pick = () => questions[q++ % questions.length]!;
    // Teams customers spread evenly between the REST ones, so both channels run through the whole ramp.
    const isTeams = (i: number) => Math.floor((i + 1) * o.teamsShare) > Math.floor(i * o.teamsShare);
    const teamsCount = Array.from({ length: o.conversations }, (_, i) => i).filter(isTeams).length;
    const total = o.conversations * o.messagesPerConversation;
    const temporalPid = findPid(['start-dev', `--port ${temporalAddress.split(':').pop()}`]);
    // Backends of the cluster (the whole cluster: other users of it are counted too).
    const pgCpu = sampleCpuOfAll(`postgres: ${o.pgCluster}:`);
    const cpuStart = { worker: c.workers.reduce((n, w) => n + w.cpuSeconds(), 0), gateway: c.gateway.cpuSeconds(), temporal: cpuSeconds(temporalPid), harness: process.cpuUsage() };
    const loadStart = loadavg()[0]!;
    const startedAt = Date.now();
    const chaos = createChaos({ faults: o.chaos, totalMessages: total, cluster: () => c, pgCluster: o.pgCluster, startedAt, log });
    let sent = 0;
    const progress = setInterval(() => log(`progress: ${sent}/${total} messages accepted`), 5000);
    const inboxes = new Map<string, Inbox>();
    const watcher = watchConnector(connector, inboxes);

    const plan = (index: number): CustomerPlan => ({
      index,
      runId,
      messages: o.messagesPerConversation,
      thinkMs: o.thinkMs,
      startDelayMs: (o.rampMs * index) / o.conversations,
      replyTimeoutMs: o.replyTimeoutMs,
      deadline,
      pick,
      onSent: () => {
        sent += 1;
        chaos.onSent();
      },
    });
    log(`${o.conversations} conversations (${o.conversations - teamsCount} REST, ${teamsCount} Teams) × ${o.messagesPerConversation} messages`);
    const runs: CustomerRun[] = await Promise.all(
      Array.from({ length: o.conversations }, (_, i) => (isTeams(i) ? teamsCustomer(c.gatewayUrl, connector.url, plan(i), inboxes) : webCustomer(c.gatewayUrl, plan(i)))),
    );
    await chaos.settle();
    clearInterval(progress);
    const finishedAt = Math.max(...runs.flatMap((r) => r.messages.map((m) => m.repliedAt ?? m.sentAt)));
    // Late replies (after a customer gave up waiting) still count, if they come before the deadline.
    await Promise.all(runs.map((r) => r.inbox.waitFor(r.messages.filter((m) => m.accepted).length, Math.min(deadline, Date.now() + 30_000))));
    // Anything more arriving now would be a duplicate; give it a moment to show up.
    await new Promise((r) => setTimeout(r, 1000));
    watcher.stop();

    const perMessage = (seconds: number) => Math.round((seconds * 1000 * 10) / Math.max(1, sent)) / 10;
    const harnessCpu = process.cpuUsage(cpuStart.harness);
    const cpuMsPerMessage = {
      worker: perMessage(c.workers.reduce((n, w) => n + w.cpuSeconds(), 0) - cpuStart.worker),
      gateway: perMessage(c.gateway.cpuSeconds() - cpuStart.gateway),
      temporal: temporalPid ? perMessage(cpuSeconds(temporalPid) - cpuStart.temporal) : null,
      harness: perMessage((harnessCpu.user + harnessCpu.system) / 1e6),
      postgres: perMessage(pgCpu.stop()),
    };
    const loadEnd = loadavg()[0]!;
    await saveScrapes(c, log);
    const kills = chaos.events.filter((e) => e.fault === 'worker').map((e) => ({ from: startedAt + e.at, to: startedAt + e.at + e.recoveredAfterMs }));
    const v = await verify(c.db, runs, kills);
    const e2e = runs.flatMap((r) => r.messages.filter((m) => m.repliedAt).map((m) => m.repliedAt! - m.sentAt)).sort((a, b) => a - b);
    const server = [...v.serverLatenciesMs].sort((a, b) => a - b);
    const durationS = (finishedAt - startedAt) / 1000;
    const { serverLatenciesMs: _omit, ...verification } = v;
    return {
      conversations: o.conversations,
      messages: v.accepted,
      replies: v.receivedByPeers,
      lost: v.lost,
      duplicated: v.duplicated,
      p50_ms: percentile(e2e, 50),
      p95_ms: percentile(e2e, 95),
      p99_ms: percentile(e2e, 99),
      throughput_msgs_per_s: Math.round((v.accepted / Math.max(durationS, 0.001)) * 10) / 10,
      details: {
        channels: { web: o.conversations - teamsCount, teams: teamsCount },
        workers: o.workers,
        messagesPerConversation: o.messagesPerConversation,
        thinkMs: o.thinkMs,
        rampMs: o.rampMs,
        durationS: Math.round(durationS * 10) / 10,
        server: { p50_ms: percentile(server, 50), p95_ms: percentile(server, 95), p99_ms: percentile(server, 99), max_ms: server.length ? Math.round(server[server.length - 1]!) : null },
        sendRetries: runs.reduce((n, r) => n + r.messages.reduce((k, m) => k + Math.max(0, m.attempts - 1), 0), 0),
        chaos: chaos.events,
        verification,
        restarts: { worker: c.worker.restarts, gateway: c.gateway.restarts },
        crashes,
        cpuMsPerMessage,
        loadAverage: { start: Math.round(loadStart * 100) / 100, end: Math.round(loadEnd * 100) / 100 },
      },
    };
  } finally {
    if (cluster && !o.keepSchema) await cluster.stop().catch((err: unknown) => log(`cluster stop failed: ${(err as Error).message}`));
    else if (cluster) {
      await cluster.gateway.stop();
      await cluster.worker.stop();
      await cluster.db.end();
      log(`kept schema ${cluster.schema}`);
    }
    await connector.close();
    await dev?.stop();
  }
}

/**
 * Keeps both processes' Prometheus output of the run (bench/results/load-*.prom): activity and workflow-task latencies
 * from the Temporal SDK, HTTP timings from the gateway. Where the time goes is read from these.
 */
async function saveScrapes(c: Cluster, log: (line: string) => void): Promise<void> {
  const dir = fileURLToPath(new URL('../results', import.meta.url));
  mkdirSync(dir, { recursive: true });
  for (const [name, url] of [['worker', c.workerMetricsUrl], ['gateway', `${c.gatewayUrl}/metrics`]] as const) {
    try {
      writeFileSync(`${dir}/load-${name}.prom`, await (await fetch(url)).text());
    } catch (err) {
      log(`could not scrape the ${name}: ${(err as Error).message}`);
    }
  }
}
