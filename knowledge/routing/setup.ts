import { fileURLToPath } from 'node:url';
import { dataPath, type Config } from '../../core/config.js';
import type { KnowledgeLogger } from '../log.js';
import { OUT_OF_SCOPE_CLASS } from '../intent/model-file.js';
import { loadStartupIntentModel } from '../intent/startup-model.js';
import { createIntentRouter, type IntentRouter } from './router.js';
import { DEFAULT_ROUTING_FILE, loadRoutingTable } from './table.js';

export const DEFAULT_INTENT_DATA_FILE = fileURLToPath(new URL('../../config/intents.csv', import.meta.url));

export type RoutingConfig = Pick<Config, 'ROUTING_FILE' | 'INTENT_DATA_FILE' | 'INTENT_MODEL_FILE' | 'INTENT_THRESHOLD' | 'KEFU_DATA_DIR'>;

export const routingDisabled = (config: Pick<Config, 'ROUTING_FILE'>) => config.ROUTING_FILE?.trim().toLowerCase() === 'off';

/**
 * The intent model routing classifies with, at the configured threshold: the prebuilt file, or trained from the
 * examples (cached under the data folder). `kefu ask` uses it too, so the CLI answers with the intent the platform
 * would pass to the answerer.
 */
export async function loadRoutingIntentModel(config: RoutingConfig, logger?: KnowledgeLogger) {
  const startup = await loadStartupIntentModel({
    modelFile: config.INTENT_MODEL_FILE,
    dataFile: config.INTENT_DATA_FILE ?? DEFAULT_INTENT_DATA_FILE,
    cacheDir: config.KEFU_DATA_DIR.startsWith('memory://') ? undefined : dataPath(config, 'intent'),
    logger,
  });
  const model = config.INTENT_THRESHOLD === undefined ? startup.model : startup.model.withThreshold(config.INTENT_THRESHOLD);
  return { startup, model };
}

/**
 * The intent router the answer activity uses, or undefined when routing is off (`ROUTING_FILE=off`). Everything is
 * checked before the platform starts: the model loads or trains, and the routing table names only intents the
 * model knows (an error: a misspelt `complaints:` route would otherwise let the bot answer complaints), queues of
 * HANDOFF_QUEUES and routable workflows. Intents the model knows but the table does not route are only a warning:
 * they take the default route, which is a safe place to be.
 */
export async function loadIntentRouting(
  config: RoutingConfig,
  deps: { queues: readonly string[]; workflows: readonly string[]; logger?: KnowledgeLogger },
): Promise<IntentRouter | undefined> {
  if (routingDisabled(config)) return undefined;
  const routingFile = config.ROUTING_FILE ?? DEFAULT_ROUTING_FILE;
  const { startup, model } = await loadRoutingIntentModel(config, deps.logger);
  const intents = model.classes.filter((c) => c !== OUT_OF_SCOPE_CLASS);
  const table = await loadRoutingTable(routingFile, { queues: deps.queues, workflows: deps.workflows, intents });
  const unrouted = intents.filter((i) => !Object.hasOwn(table.routes, i));
  if (unrouted.length > 0) {
    deps.logger?.warn({ intents: unrouted, file: routingFile }, 'these intents have no route and take the default route');
  }
  deps.logger?.info({ file: routingFile, model: startup.from, intents: intents.length, threshold: model.threshold }, 'intent routing ready');
  return createIntentRouter({ model, table, defaultQueue: deps.queues[0] ?? 'general' });
}
