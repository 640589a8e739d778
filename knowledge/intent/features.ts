import { tokenize, type Tokens } from './text.js';

/**
 * Sparse TF-IDF features in two blocks: words (uni/bi-grams) and characters (n-grams within Latin words,
 * across Han runs). Each block is L2-normalised on its own so that neither dominates just by having more
 * n-grams, then the blocks are concatenated (word features first).
 */

export interface FeatureConfig {
  wordNgramMax: number;
  charNgramMin: number;
  charNgramMax: number;
  /** Han n-grams are shorter: one Han character carries about as much as a short English word. */
  hanNgramMin: number;
  hanNgramMax: number;
  /** A term must occur in at least this many training texts to become a feature. */
  wordMinDf: number;
  charMinDf: number;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  wordNgramMax: 2,
  charNgramMin: 2,
  charNgramMax: 5,
  hanNgramMin: 1,
  hanNgramMax: 3,
  wordMinDf: 1,
  charMinDf: 2,
};

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Terms of one text with their raw counts, per block. */
export interface TermCounts {
  word: Map<string, number>;
  char: Map<string, number>;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function extractTerms(tokens: Tokens, config: FeatureConfig): TermCounts {
  const word = new Map<string, number>();
  const char = new Map<string, number>();
  const { words } = tokens;
  for (let n = 1; n <= config.wordNgramMax; n++) {
    for (let i = 0; i + n <= words.length; i++) bump(word, words.slice(i, i + n).join(' '));
  }
  for (const w of tokens.latinWords) {
    const padded = ` ${w} `;
    for (let n = config.charNgramMin; n <= config.charNgramMax; n++) {
      // A word shorter than n still yields itself once, so short words are not invisible at this block.
      if (padded.length <= n) {
        bump(char, padded);
        break;
      }
      for (let i = 0; i + n <= padded.length; i++) bump(char, padded.slice(i, i + n));
    }
  }
  for (const run of tokens.hanRuns) {
    const chars = Array.from(run);
    for (let n = config.hanNgramMin; n <= config.hanNgramMax; n++) {
      for (let i = 0; i + n <= chars.length; i++) bump(char, chars.slice(i, i + n).join(''));
    }
  }
  return { word, char };
}

export function textTerms(text: string, config: FeatureConfig): TermCounts {
  return extractTerms(tokenize(text), config);
}

/** One block's vocabulary and inverse document frequencies. */
export interface BlockVocabulary {
  terms: string[];
  idf: Float32Array;
}

export interface FeatureSpaceData {
  config: FeatureConfig;
  word: BlockVocabulary;
  char: BlockVocabulary;
}

function fitBlock(docs: Map<string, number>[], minDf: number): BlockVocabulary {
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of doc.keys()) bump(df, term);
  // Sorted so that the same data gives the same feature order (and the same model file) every time.
  const terms = [...df.entries()].filter(([, count]) => count >= minDf).map(([term]) => term).sort();
  const n = docs.length;
  // Smoothed idf as in scikit-learn: ln((1 + n) / (1 + df)) + 1, never zero.
  const idf = Float32Array.from(terms, (t) => Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
  return { terms, idf };
}

export class FeatureSpace {
  private readonly wordIndex: Map<string, number>;
  private readonly charIndex: Map<string, number>;

  constructor(readonly data: FeatureSpaceData) {
    this.wordIndex = new Map(data.word.terms.map((t, i) => [t, i]));
    this.charIndex = new Map(data.char.terms.map((t, i) => [t, i]));
  }

  static fit(texts: readonly string[], config: FeatureConfig = DEFAULT_FEATURE_CONFIG): { space: FeatureSpace; vectors: SparseVector[] } {
    const counts = texts.map((t) => textTerms(t, config));
    const space = new FeatureSpace({
      config,
      word: fitBlock(counts.map((c) => c.word), config.wordMinDf),
      char: fitBlock(counts.map((c) => c.char), config.charMinDf),
    });
    return { space, vectors: counts.map((c) => space.vectorizeTerms(c)) };
  }

  get dimension(): number {
    return this.data.word.terms.length + this.data.char.terms.length;
  }

  vectorize(text: string): SparseVector {
    return this.vectorizeTerms(textTerms(text, this.data.config));
  }

  vectorizeTerms(terms: TermCounts): SparseVector {
    const word = weighBlock(terms.word, this.wordIndex, this.data.word.idf, 0);
    const char = weighBlock(terms.char, this.charIndex, this.data.char.idf, this.data.word.terms.length);
    const indices = new Int32Array(word.length + char.length);
    const values = new Float32Array(indices.length);
    let k = 0;
    for (const [i, v] of [...word, ...char]) {
      indices[k] = i;
      values[k++] = v;
    }
    return { indices, values };
  }
}

/** Sublinear tf (1 + ln count) × idf, L2-normalised within the block; unknown terms are dropped. */
function weighBlock(counts: Map<string, number>, index: Map<string, number>, idf: Float32Array, offset: number): [number, number][] {
  const entries: [number, number][] = [];
  let norm = 0;
  for (const [term, count] of counts) {
    const i = index.get(term);
    if (i === undefined) continue;
    const v = (1 + Math.log(count)) * (idf[i] ?? 1);
    entries.push([i + offset, v]);
    norm += v * v;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (const e of entries) e[1] *= scale;
  }
  return entries.sort((a, b) => a[0] - b[0]);
}
