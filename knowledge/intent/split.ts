/** Small seeded PRNG (mulberry32) so splits, and therefore trained models, are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Split {
  fit: number[];
  holdout: number[];
}

/**
 * Stratified split of example indices: about `fraction` of each label goes to the holdout, but a label
 * always keeps at least one example for fitting, and a label with a single example is never held out.
 */
export function stratifiedSplit(labels: readonly string[], fraction: number, seed: number): Split {
  const random = seededRandom(seed);
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const list = byLabel.get(label);
    if (list) list.push(i);
    else byLabel.set(label, [i]);
  });
  const fit: number[] = [];
  const holdout: number[] = [];
  for (const indices of byLabel.values()) {
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    const held = indices.length < 2 ? 0 : Math.min(indices.length - 1, Math.max(1, Math.round(indices.length * fraction)));
    holdout.push(...indices.slice(0, held));
    fit.push(...indices.slice(held));
  }
  return { fit: fit.sort((a, b) => a - b), holdout: holdout.sort((a, b) => a - b) };
}
