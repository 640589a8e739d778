import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../core/config.js';
import { connectionOptions } from '../../temporal.config.js';

/**
 * A Temporal client for CLI commands that talk to a running platform: TEMPORAL_ADDRESS, or the embedded dev server
 * that `kefu start` runs on 127.0.0.1:TEMPORAL_DEV_PORT. Never starts a server of its own.
 */
export async function connectCliClient(config: Config): Promise<{ client: Client; address: string; close(): Promise<void> }> {
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(config, address), connectTimeout: '5s' });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${address} (${(err as Error).message}); is kefu start running, or TEMPORAL_ADDRESS set?`);
  }
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), address, close: () => connection.close() };
}
