import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { FeatureSpace } from './features.js';
import {
  decodeFloat32,
  decodeInt8,
  dequantizeRows,
  encodeTypedArray,
  modelFileSchema,
  OUT_OF_SCOPE_CLASS,
  quantizeRows,
  type IntentModelFile,
} from './model-file.js';
import { scoreLinear, softmaxInPlace, type LinearWeights } from './softmax-regression.js';

export interface IntentPrediction {
  /** null when the text looks out of scope (confidence below the threshold, or the out-of-scope class won). */
  intent: string | null;
  /** Calibrated probability of the best in-scope class. */
  confidence: number;
}

export interface RankedIntent {
  intent: string;
  probability: number;
}

export interface IntentModelParts {
  classes: string[];
  space: FeatureSpace;
  linear: LinearWeights;
  threshold: number;
  temperature: number;
  training: IntentModelFile['training'];
  createdAt?: string;
}

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }, source: string): string {
  const lines = error.issues.slice(0, 5).map((i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return `${source} is not a kefu intent model:\n${lines.join('\n')}`;
}

/** A trained intent classifier: text → {intent, confidence}. Cheap to call (well under a millisecond per text). */
export class IntentModel {
  readonly classes: readonly string[];
  readonly threshold: number;
  readonly temperature: number;
  readonly training: IntentModelFile['training'];
  readonly createdAt: string;
  private readonly space: FeatureSpace;
  private readonly linear: LinearWeights;
  private readonly outOfScopeIndex: number;

  constructor(parts: IntentModelParts) {
    this.classes = parts.classes;
    this.space = parts.space;
    this.linear = parts.linear;
    this.threshold = parts.threshold;
    this.temperature = parts.temperature;
    this.training = parts.training;
    this.createdAt = parts.createdAt ?? new Date().toISOString();
    this.outOfScopeIndex = parts.classes.indexOf(OUT_OF_SCOPE_CLASS);
  }

  /** Same model with another out-of-scope threshold (e.g. tuned by an operator). */
  withThreshold(threshold: number): IntentModel {
    return new IntentModel({ ...this.parts(), threshold });
  }

  /** Probability of every class (including the out-of-scope class if the training data had one). */
  probabilities(text: string): Float64Array {
    return softmaxInPlace(scoreLinear(this.linear, this.space.vectorize(text)), this.temperature);
  }

  classify(text: string): IntentPrediction {
    const probs = this.probabilities(text);
    let best = -1;
    for (let c = 0; c < probs.length; c++) {
      if (c === this.outOfScopeIndex) continue;
      if (best < 0 || probs[c]! > probs[best]!) best = c;
    }
    const confidence = probs[best]!;
    const outOfScopeWins = this.outOfScopeIndex >= 0 && probs[this.outOfScopeIndex]! > confidence;
    const intent = outOfScopeWins || confidence < this.threshold ? null : this.classes[best]!;
    return { intent, confidence };
  }

  /** The `top` most likely in-scope intents, most likely first. */
  rank(text: string, top = 3): RankedIntent[] {
    const probs = this.probabilities(text);
    return this.classes
      .map((intent, i) => ({ intent, probability: probs[i]! }))
      .filter((r) => r.intent !== OUT_OF_SCOPE_CLASS)
      .sort((a, b) => b.probability - a.probability)
      .slice(0, top);
  }

  toJSON(): IntentModelFile {
    const { data, scales } = quantizeRows(this.linear.weights, this.linear.classes);
    const { config, word, char } = this.space.data;
    return {
      format: 'kefu-intent-model',
      version: 1,
      createdAt: this.createdAt,
      classes: [...this.classes],
      threshold: this.threshold,
      temperature: this.temperature,
      features: {
        config,
        word: { terms: word.terms, idf: encodeTypedArray(word.idf) },
        char: { terms: char.terms, idf: encodeTypedArray(char.idf) },
      },
      linear: { weights: encodeTypedArray(data), rowScales: encodeTypedArray(scales), bias: Array.from(this.linear.bias) },
      training: this.training,
    };
  }

  static fromJSON(json: unknown, source = 'model'): IntentModel {
    const parsed = modelFileSchema.safeParse(json);
    if (!parsed.success) throw new Error(describeIssues(parsed.error, source));
    const file = parsed.data;
    const word = { terms: file.features.word.terms, idf: decodeFloat32(file.features.word.idf) };
    const char = { terms: file.features.char.terms, idf: decodeFloat32(file.features.char.idf) };
    if (word.idf.length !== word.terms.length || char.idf.length !== char.terms.length) {
      throw new Error(`${source} is not a kefu intent model: idf and vocabulary sizes differ`);
    }
    const space = new FeatureSpace({ config: file.features.config, word, char });
    const k = file.classes.length;
    const data = decodeInt8(file.linear.weights);
    const scales = decodeFloat32(file.linear.rowScales);
    if (data.length !== space.dimension * k || scales.length !== space.dimension) {
      throw new Error(`${source} is not a kefu intent model: weight matrix does not match ${space.dimension} features × ${k} classes`);
    }
    const linear: LinearWeights = {
      classes: k,
      dimension: space.dimension,
      weights: dequantizeRows(data, scales, k),
      bias: Float32Array.from(file.linear.bias),
    };
    return new IntentModel({
      classes: file.classes,
      space,
      linear,
      threshold: file.threshold,
      temperature: file.temperature,
      training: file.training,
      createdAt: file.createdAt,
    });
  }

  static async load(file: string): Promise<IntentModel> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read model ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`model ${file} is not valid JSON: ${(err as Error).message}`);
    }
    return IntentModel.fromJSON(json, `model ${file}`);
  }

  /** Written to a temporary file then renamed, so a crash never leaves a half-written model behind. */
  async save(file: string): Promise<void> {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(this.toJSON()));
    await rename(temp, file);
  }

  private parts(): IntentModelParts {
    return {
      classes: [...this.classes],
      space: this.space,
      linear: this.linear,
      threshold: this.threshold,
      temperature: this.temperature,
      training: this.training,
      createdAt: this.createdAt,
    };
  }
}
