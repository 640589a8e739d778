/**
 * The learned risk model on disk (config/risk-model.json, written by `kefu risk train` or
 * `npx tsx analysis/risk/train-model.ts`). Validated on load so a truncated or hand-edited file stops the start
 * with its path instead of scoring nonsense. The two big arrays are base64 little-endian float32; everything else
 * (categories, thresholds, the n-gram vocabulary, the cross-validation figures) is plain JSON a reviewer can read.
 * No timestamps: the same data and rules give the same file, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { decodeFloat32, encodeTypedArray } from '../../../knowledge/intent/model-file.js';
import type { RiskModel } from './model.js';

export const DEFAULT_RISK_MODEL_PATH = fileURLToPath(new URL('../../../config/risk-model.json', import.meta.url));
export const RISK_MODEL_FORMAT = 'kefu-risk-model';
export const RISK_MODEL_VERSION = 1;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const modelFileSchema = z
  .strictObject({
    format: z.literal(RISK_MODEL_FORMAT),
    version: z.literal(RISK_MODEL_VERSION),
    trainedOn: z.string(),
    dataSha256: z.string(),
    training: z.record(z.string(), z.unknown()),
    crossValidation: z.unknown().optional(),
    categories: z.array(z.string().min(1)).min(1),
    thresholds: z.record(z.string(), z.number().min(0).max(1)),
    ruleVeto: z.number().min(0).max(1).optional(),
    bias: z.array(z.number()),
    terms: z.array(z.string().min(1)),
    /** float32, one per term */
    idf: base64,
    /** float32, terms × categories, term-major */
    weights: base64,
  })
  .superRefine((m, ctx) => {
    if (m.bias.length !== m.categories.length) ctx.addIssue({ code: 'custom', path: ['bias'], message: `expected ${m.categories.length} values (one per category)` });
    for (const c of m.categories) if (!(c in m.thresholds)) ctx.addIssue({ code: 'custom', path: ['thresholds', c], message: 'missing threshold' });
  });

export type RiskModelFile = z.output<typeof modelFileSchema>;

/** A model file problem, naming the file. */
export class RiskModelError extends Error {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`invalid risk model ${source}: ${detail}`);
    this.name = 'RiskModelError';
  }
}

export function parseRiskModel(raw: unknown, source = '<inline>'): RiskModel {
  const parsed = modelFileSchema.safeParse(raw);
  if (!parsed.success) throw new RiskModelError(source, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const file = parsed.data;
  const idf = decodeFloat32(file.idf);
  const weights = decodeFloat32(file.weights);
  if (idf.length !== file.terms.length) throw new RiskModelError(source, `idf has ${idf.length} values for ${file.terms.length} terms`);
  if (weights.length !== file.terms.length * file.categories.length) throw new RiskModelError(source, `weights has ${weights.length} values, expected terms × categories = ${file.terms.length * file.categories.length}`);
  return {
    categories: file.categories,
    thresholds: file.thresholds,
    ...(file.ruleVeto === undefined ? {} : { ruleVeto: file.ruleVeto }),
    terms: file.terms,
    idf,
    weights,
    bias: Float32Array.from(file.bias),
    info: { trainedOn: file.trainedOn, dataSha256: file.dataSha256, c: Number(file.training['c'] ?? 0), crossValidation: file.crossValidation },
  };
}

export function loadRiskModel(path: string = DEFAULT_RISK_MODEL_PATH): RiskModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RiskModelError(path, `cannot read file: ${error instanceof Error ? error.message : String(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RiskModelError(path, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseRiskModel(raw, path);
}

/** The file's text. Key order is fixed by construction, so equal models serialise to equal bytes. */
export function serialiseRiskModel(model: RiskModel, training: Record<string, unknown>): string {
  const file: RiskModelFile = {
    format: RISK_MODEL_FORMAT,
    version: RISK_MODEL_VERSION,
    trainedOn: model.info.trainedOn,
    dataSha256: model.info.dataSha256,
    training,
    ...(model.info.crossValidation === undefined ? {} : { crossValidation: model.info.crossValidation }),
    categories: model.categories,
    thresholds: model.thresholds,
    ...(model.ruleVeto === undefined ? {} : { ruleVeto: model.ruleVeto }),
    bias: Array.from(model.bias),
    terms: model.terms,
    idf: encodeTypedArray(model.idf),
    weights: encodeTypedArray(model.weights),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}
