import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { Config } from './core/config.js';

/** Temporal connection, namespace, task queues and activity timeouts, all derived from configuration. */
export type TemporalConfig = Pick<Config,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_API_KEY' |
  'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_TLS_CA_PATH' | 'TEMPORAL_TLS_SERVER_NAME'>;

/** Options accepted by both the client `Connection` and the worker's `NativeConnection`. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

export function connectionOptions(config: TemporalConfig, address: string): TemporalConnectionOptions {
  const mtls = config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
    ? { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) }
    : undefined;
  const serverRootCACertificate = config.TEMPORAL_TLS_CA_PATH ? readFileSync(config.TEMPORAL_TLS_CA_PATH) : undefined;
  // Temporal Cloud API keys always travel over TLS; mTLS and a private CA are opt-in.
  const tls = mtls || serverRootCACertificate || config.TEMPORAL_API_KEY
    ? { clientCertPair: mtls, serverRootCACertificate, serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME }
    : undefined;
  return { address, tls, apiKey: config.TEMPORAL_API_KEY };
}

export function taskQueues(config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>) {
  return { conversations: config.TEMPORAL_TASK_QUEUE } as const;
}

export { activityProfiles } from './workflows/profiles.js';
