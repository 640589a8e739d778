import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KnowledgeLogger } from '../log.js';
import { parseLabelledCsv } from './csv.js';
import { MODEL_FORMAT, MODEL_VERSION } from './model-file.js';
import { IntentModel } from './model.js';
import { trainIntentModel } from './train.js';

export interface StartupModelOptions {
  /** A prebuilt model (`kefu intent train`); when set, the examples file is not read. */
  modelFile?: string;
  /** The ops-authored `text,category` examples the model is trained on otherwise. */
  dataFile: string;
  /** Where trained models are kept between starts; none = train on every start (in-memory data folders, tests). */
  cacheDir?: string;
  logger?: KnowledgeLogger;
}

export interface StartupModel {
  model: IntentModel;
  from: 'model-file' | 'cache' | 'trained';
  /** The file the model came from or was cached in. */
  file?: string;
}

/**
 * Trained models by content key, for processes without a cache folder: one process that starts several platforms
 * (tests) trains once. The key is a hash of the examples, so an edited file is never served a stale model.
 */
const trainedInProcess = new Map<string, IntentModel>();

/**
 * The intent model the platform routes with: the prebuilt file when given; else the model trained on the examples
 * file, cached under a hash of its content (and of the model format), so a restart with unchanged examples loads in
 * milliseconds and an edited CSV is picked up by the next start. Training the demo's 757 examples takes about 1.5 s.
 */
export async function loadStartupIntentModel(opts: StartupModelOptions): Promise<StartupModel> {
  if (opts.modelFile) return { model: await IntentModel.load(opts.modelFile), from: 'model-file', file: opts.modelFile };

  let content: string;
  try {
    content = await readFile(opts.dataFile, 'utf8');
  } catch (err) {
    throw new Error(`cannot read intent examples ${opts.dataFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const key = createHash('sha256').update(`${MODEL_FORMAT}@${MODEL_VERSION}\n`).update(content).digest('hex').slice(0, 16);
  const cacheFile = opts.cacheDir ? path.join(opts.cacheDir, `intent-model-${key}.json`) : undefined;
  if (cacheFile) {
    const cached = await IntentModel.load(cacheFile).catch((err: Error) => {
      // Missing is the normal first start; anything else (a damaged file) is worth a line before retraining.
      if (!/ENOENT/.test(err.message)) opts.logger?.warn({ err: err.message }, 'ignoring the cached intent model');
      return undefined;
    });
    if (cached) return { model: cached, from: 'cache', file: cacheFile };
  } else {
    const memo = trainedInProcess.get(key);
    if (memo) return { model: memo, from: 'trained' };
  }

  const examples = parseLabelledCsv(content, opts.dataFile);
  if (examples.length === 0) throw new Error(`${opts.dataFile} has no intent examples`);
  let trained: ReturnType<typeof trainIntentModel>;
  try {
    trained = trainIntentModel(examples);
  } catch (err) {
    throw new Error(`cannot train the intent model on ${opts.dataFile}: ${(err as Error).message}`);
  }
  const { model, summary } = trained;
  opts.logger?.info(
    { examples: summary.examples, intents: summary.classes.length, holdoutAccuracy: summary.holdoutAccuracy, threshold: summary.threshold, seconds: Math.round(summary.seconds * 100) / 100 },
    'intent model trained',
  );
  if (cacheFile) {
    // A cache that cannot be written costs the next start a training run, not this one.
    await model.save(cacheFile).catch((err: Error) => opts.logger?.warn({ err: err.message, file: cacheFile }, 'could not cache the intent model'));
  } else {
    trainedInProcess.set(key, model);
  }
  return { model, from: 'trained', file: cacheFile };
}
