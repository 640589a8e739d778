import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../../core/config.js';
import { dataPath } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { freePort, startDevServer, type DevServer } from '../../core/temporal/dev-server.js';
import { installTemporalRuntime } from '../../core/temporal/runtime.js';
import { connectionOptions } from '../../temporal.config.js';

export interface TemporalHandle {
  address: string;
  uiUrl: string | undefined;
  client: Client;
  connection: Connection;
  /** The worker side needs its own native connection. */
  nativeConnection(): Promise<NativeConnection>;
  close(): Promise<void>;
}

/** Connects to TEMPORAL_ADDRESS, or starts the embedded dev server (persisting under the data folder) and connects. */
export async function openTemporal(config: Config, logger: Logger, opts: { startDevServer?: boolean } = {}): Promise<TemporalHandle> {
  installTemporalRuntime(logger, { metricsBindAddress: await temporalMetricsBindAddress(config.TEMPORAL_METRICS_ADDRESS) });
  let dev: DevServer | undefined;
  let address = config.TEMPORAL_ADDRESS;
  if (!address) {
    if (opts.startDevServer === false) throw new Error('TEMPORAL_ADDRESS must be set when the dev server is not started here');
    dev = await startDevServer({
      cliPath: config.TEMPORAL_CLI_PATH,
      dbFile: dataPath(config, 'temporal.sqlite'),
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_DEV_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      logger,
    });
    address = dev.address;
  }
  const options = connectionOptions(config, address);
  const connection = await Connection.connect(options);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const natives: NativeConnection[] = [];
  return {
    address,
    uiUrl: config.TEMPORAL_UI_URL ?? dev?.uiUrl,
    client,
    connection,
    async nativeConnection() {
      const c = await NativeConnection.connect(options);
      natives.push(c);
      return c;
    },
    async close() {
      await Promise.allSettled(natives.map((n) => n.close()));
      await connection.close().catch(() => undefined);
      await dev?.stop();
    },
  };
}

/** TEMPORAL_METRICS_ADDRESS as a bind address: `off` = none, port 0 = a free port now (the exporter cannot report one). */
async function temporalMetricsBindAddress(setting: string): Promise<string | undefined> {
  if (setting === 'off') return undefined;
  const i = setting.lastIndexOf(':');
  const host = setting.slice(0, i);
  return setting.slice(i + 1) === '0' ? `${host}:${await freePort()}` : setting;
}
