import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../core/temporal/dev-server.js';
import { cpuSeconds } from './cpu.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type PartName = 'worker' | 'gateway';

/** One `kefu start --only <part>` child process that can be killed (SIGKILL, no goodbye) and started again. */
export interface PartProcess {
  name: PartName;
  start(): Promise<void>;
  /** SIGKILL, resolved once the process is gone (its ports are free again). */
  kill9(): Promise<void>;
  stop(): Promise<void>;
  readonly restarts: number;
  /** CPU seconds used by every process this part has had (killed ones included). */
  cpuSeconds(): number;
  /** The last lines it wrote to stderr, for a failure report. */
  tail(): string;
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, timeoutMs: number, tail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}:\n${tail()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${tail()}`);
}

function part(name: PartName, env: NodeJS.ProcessEnv, ready: () => Promise<boolean>, onCrash: (name: PartName, tail: string) => void): PartProcess {
  let child: ChildProcess | undefined;
  // Children we ended on purpose (chaos, stop): their exit is not a crash, however late it is reported.
  const ended = new WeakSet<ChildProcess>();
  let log = '';
  let restarts = -1;
  let cpuOfEarlier = 0;
  return {
    cpuSeconds: () => cpuOfEarlier + cpuSeconds(child?.pid),
    name,
    get restarts() {
      return Math.max(0, restarts);
    },
    tail: () => log,
    async start() {
      restarts += 1;
      // Profiling the parts: LOAD_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/kefu-prof' (profiles are written when they stop).
      const nodeArgs = (process.env.LOAD_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const c = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/kefu.js'), 'start', '--only', name], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      c.stderr?.on('data', (d: Buffer) => {
        log = (log + d.toString()).slice(-6000);
      });
      // A part that dies on its own (not killed by the chaos, not stopped) is a finding: report it with its last words.
      c.once('exit', (code, signal) => {
        if (ended.has(c)) return;
        onCrash(name, `exit code ${code}, signal ${signal}\n${log}`);
        // Brought back so the run can finish and show what the crash cost; the report still counts it as a failure.
        void this.start().catch(() => undefined);
      });
      await waitFor(`the ${name}`, ready, c, 120_000, () => log);
    },
    async kill9() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      ended.add(c);
      cpuOfEarlier += cpuSeconds(c.pid);
      const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGKILL');
      await gone;
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      ended.add(c);
      await new Promise<void>((resolve) => {
        const killer = setTimeout(() => c.kill('SIGKILL'), 15_000);
        c.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        c.kill('SIGTERM');
      });
    },
  };
}

export interface Cluster {
  gatewayUrl: string;
  workerMetricsUrl: string;
  schema: string;
  db: pg.Pool;
  /** The first worker (the one the chaos kills); `workers` holds all of them. */
  worker: PartProcess;
  workers: PartProcess[];
  gateway: PartProcess;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  databaseUrl: string;
  temporalAddress: string;
  runId: string;
  /** Extra settings for both processes. */
  env?: Record<string, string>;
  /** Worker processes on the task queue (default 1). */
  workers?: number;
  /** A part exited without being asked to. */
  onCrash?: (name: PartName, details: string) => void;
}

/**
 * The platform as it runs in production, on this machine: a worker process and a gateway process on one PostgreSQL
 * schema (created fresh for the run) and one Temporal server, everything on 127.0.0.1.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const schema = `load_${opts.runId}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-load-'));
  const [gatewayPort, metricsPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOAD_LOG_LEVEL ?? 'warn',
    LOG_FORMAT: 'json',
    KEFU_DATA_DIR: dataDir,
    DATABASE_URL: opts.databaseUrl,
    DATABASE_SCHEMA: schema,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: `load-${opts.runId}`,
    HOST: '127.0.0.1',
    PORT: String(gatewayPort),
    METRICS_PORT: String(metricsPort),
    CONSOLE_USERS: 'load:admin:load-harness-only',
    KEFU_SEED_DEMO: 'true',
    KEFU_SCHEDULES: 'false',
    // Every customer message must get a bot reply for the loss check; a handoff would answer with a queue notice.
    HANDOFF_AFTER_UNANSWERED: '0',
    ...opts.env,
  };
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const onCrash = opts.onCrash ?? (() => undefined);
  const workers: PartProcess[] = [];
  for (let i = 0; i < (opts.workers ?? 1); i++) {
    const url = i === 0 ? workerMetricsUrl : `http://127.0.0.1:${await freePort()}/metrics`;
    workers.push(part('worker', { ...env, METRICS_PORT: new URL(url).port }, async () => (await fetch(url)).ok, onCrash));
  }
  const worker = workers[0]!;
  const gateway = part('gateway', env, async () => (await fetch(`${gatewayUrl}/healthz`)).ok, onCrash);
  const db = new pg.Pool({ connectionString: opts.databaseUrl, max: 4, options: `-c search_path=${schema},public` });
  db.on('error', () => undefined);

  // The worker first: it migrates and loads the demo knowledge base, which the gateway then finds in place.
  await worker.start();
  await Promise.all(workers.slice(1).map((w) => w.start()));
  await gateway.start();
  return {
    gatewayUrl,
    workerMetricsUrl,
    schema,
    db,
    worker,
    workers,
    gateway,
    async stop() {
      await gateway.stop();
      await Promise.all(workers.map((w) => w.stop()));
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await db.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
