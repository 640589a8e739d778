import { FAULTS, type Fault } from './chaos.js';

export interface LoadOptions {
  conversations: number;
  messagesPerConversation: number;
  /** Share of conversations on Teams (the rest on the REST channel). */
  teamsShare: number;
  /** Mean pause between a reply and the customer's next message (uniform 0.5×–1.5×). */
  thinkMs: number;
  /** Conversations start spread over this long (default: one think time). */
  rampMs: number;
  chaos: Fault[];
  pgCluster: string;
  databaseUrl: string;
  temporalAddress?: string;
  replyTimeoutMs: number;
  timeoutMs: number;
  json: boolean;
  keepSchema: boolean;
  /** Worker processes (all on one task queue). */
  workers: number;
}

export const USAGE = `usage: npm run bench:load -- [--conversations N] [--messages M] [--teams-share 0.5] [--think-ms 2000]
       [--ramp-ms ms] [--workers 1] [--chaos [worker,gateway,postgres]] [--pg-cluster 15/main] [--temporal-address host:port]
       [--reply-timeout-s 120] [--timeout-s 900] [--keep-schema] [--json]
needs DATABASE_URL (PostgreSQL with pgvector); starts a Temporal dev server unless --temporal-address is given`;

export function parseLoadArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const o: LoadOptions = {
    conversations: 10,
    messagesPerConversation: 10,
    teamsShare: 0.5,
    thinkMs: 2000,
    rampMs: -1,
    chaos: [],
    pgCluster: '15/main',
    databaseUrl: env.DATABASE_URL ?? '',
    temporalAddress: undefined,
    replyTimeoutMs: 120_000,
    timeoutMs: 900_000,
    json: false,
    keepSchema: false,
    workers: 1,
  };
  const num = (name: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    switch (a) {
      case '--conversations': o.conversations = Math.round(num(a, next(), 1, 10_000)); break;
      case '--messages': o.messagesPerConversation = Math.round(num(a, next(), 1, 1000)); break;
      case '--teams-share': o.teamsShare = num(a, next(), 0, 1); break;
      case '--think-ms': o.thinkMs = num(a, next(), 0, 600_000); break;
      case '--ramp-ms': o.rampMs = num(a, next(), 0, 3_600_000); break;
      case '--pg-cluster': o.pgCluster = next() ?? ''; break;
      case '--temporal-address': o.temporalAddress = next(); break;
      case '--database-url': o.databaseUrl = next() ?? ''; break;
      case '--reply-timeout-s': o.replyTimeoutMs = num(a, next(), 1, 3600) * 1000; break;
      case '--timeout-s': o.timeoutMs = num(a, next(), 10, 86_400) * 1000; break;
      case '--workers': o.workers = Math.round(num(a, next(), 1, 16)); break;
      case '--json': o.json = true; break;
      case '--keep-schema': o.keepSchema = true; break;
      case '--chaos': {
        const list = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? next()!.split(',') : [...FAULTS];
        const bad = list.filter((f) => !FAULTS.includes(f as Fault));
        if (bad.length) throw new Error(`unknown fault ${bad.join(', ')}; choose from ${FAULTS.join(', ')}`);
        o.chaos = list as Fault[];
        break;
      }
      case '--help': throw new Error(USAGE);
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (!/^postgres(ql)?:\/\//.test(o.databaseUrl)) throw new Error(`set DATABASE_URL (or --database-url) to a PostgreSQL database\n${USAGE}`);
  if (!/^\d+\/[\w-]+$/.test(o.pgCluster)) throw new Error('--pg-cluster must look like 15/main');
  // Default ramp: conversations start spread over one think time, so messages arrive at an even rate from the start
  // instead of all first messages at once.
  if (o.rampMs < 0) o.rampMs = o.thinkMs;
  return o;
}
