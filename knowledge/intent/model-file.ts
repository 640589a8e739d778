import { z } from 'zod';

/**
 * The on-disk model: one JSON file, validated on load so a truncated or hand-edited file fails with a clear
 * message instead of misclassifying. Large numeric arrays are base64 little-endian typed arrays; the weight
 * matrix is quantised to int8 with one scale per feature row (4× smaller than float32, same predictions in
 * practice because each row's weights share a magnitude).
 */

export const MODEL_FORMAT = 'kefu-intent-model';
export const MODEL_VERSION = 1;
/** Name used in the class list for examples labelled with an empty category: predicted → intent null. */
export const OUT_OF_SCOPE_CLASS = '__out_of_scope__';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const featureConfigSchema = z.object({
  wordNgramMax: z.number().int().min(1).max(4),
  charNgramMin: z.number().int().min(1).max(8),
  charNgramMax: z.number().int().min(1).max(8),
  hanNgramMin: z.number().int().min(1).max(8),
  hanNgramMax: z.number().int().min(1).max(8),
  wordMinDf: z.number().int().min(1),
  charMinDf: z.number().int().min(1),
});

const blockSchema = z.object({
  terms: z.array(z.string()),
  /** float32 */
  idf: base64,
});

export const modelFileSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    version: z.literal(MODEL_VERSION),
    createdAt: z.string(),
    classes: z.array(z.string().min(1)).min(2),
    /** Below this calibrated confidence the intent is null (out of scope). */
    threshold: z.number().min(0).max(1),
    /** Softmax temperature fitted on the holdout so confidences are calibrated probabilities. */
    temperature: z.number().positive(),
    features: z.object({ config: featureConfigSchema, word: blockSchema, char: blockSchema }),
    linear: z.object({
      /** int8, dimension × classes, feature-major */
      weights: base64,
      /** float32, one per feature row: weight = int8 × scale */
      rowScales: base64,
      bias: z.array(z.number()),
    }),
    training: z.object({
      examples: z.number().int().nonnegative(),
      holdoutExamples: z.number().int().nonnegative(),
      holdoutAccuracy: z.number().min(0).max(1).nullable(),
      c: z.number().positive(),
      seconds: z.number().nonnegative(),
    }),
  })
  .superRefine((m, ctx) => {
    if (m.linear.bias.length !== m.classes.length) {
      ctx.addIssue({ code: 'custom', path: ['linear', 'bias'], message: `expected ${m.classes.length} values (one per class)` });
    }
  });

export type IntentModelFile = z.output<typeof modelFileSchema>;

export function encodeTypedArray(array: Float32Array | Int8Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

export function decodeFloat32(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % 4 !== 0) throw new Error('float32 array has a partial element');
  // Copied into a fresh buffer: Buffer.from may share a pool whose offset is not 4-byte aligned.
  return new Float32Array(new Uint8Array(bytes).buffer);
}

export function decodeInt8(text: string): Int8Array {
  const bytes = Buffer.from(text, 'base64');
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Symmetric int8 quantisation with one scale per row of `width` values. */
export function quantizeRows(values: Float32Array, width: number): { data: Int8Array; scales: Float32Array } {
  const rows = values.length / width;
  const data = new Int8Array(values.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < width; c++) max = Math.max(max, Math.abs(values[r * width + c]!));
    const scale = max / 127;
    scales[r] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < width; c++) data[r * width + c] = Math.round(values[r * width + c]! / scale);
  }
  return { data, scales };
}

export function dequantizeRows(data: Int8Array, scales: Float32Array, width: number): Float32Array {
  const values = new Float32Array(data.length);
  for (let r = 0; r < scales.length; r++) {
    const scale = scales[r]!;
    for (let c = 0; c < width; c++) values[r * width + c] = data[r * width + c]! * scale;
  }
  return values;
}
