export interface Question {
  id: string;
  text: string;
  tokens: string[];
}

export interface QuestionCluster {
  /** The cluster's most frequent words, as its candidate topic name. */
  label: string;
  size: number;
  examples: string[];
  keywords: string[];
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter += 1;
  return inter / (a.size + b.size - inter);
}

/**
 * Greedy leader clustering over word sets: each question joins the cluster whose first question ("leader") it is
 * most similar to by Jaccard, if that similarity reaches `similarity`, else it leads a new cluster. One pass,
 * order-dependent but explainable; clusters smaller than `minClusterSize` are dropped as noise.
 */
export function clusterQuestions(
  questions: Question[],
  opts: { similarity: number; minClusterSize: number; maxClusters: number; examples: number },
): QuestionCluster[] {
  const clusters: { leader: Set<string>; members: Question[] }[] = [];
  for (const q of questions) {
    const words = new Set(q.tokens);
    if (words.size === 0) continue;
    let best: (typeof clusters)[number] | undefined;
    let bestScore = 0;
    for (const c of clusters) {
      const s = jaccard(words, c.leader);
      if (s > bestScore) {
        best = c;
        bestScore = s;
      }
    }
    if (best && bestScore >= opts.similarity) best.members.push(q);
    else clusters.push({ leader: words, members: [q] });
  }
  return clusters
    .filter((c) => c.members.length >= opts.minClusterSize)
    .sort((a, b) => b.members.length - a.members.length)
    .slice(0, opts.maxClusters)
    .map((c) => {
      const freq = new Map<string, number>();
      for (const m of c.members) for (const t of new Set(m.tokens)) freq.set(t, (freq.get(t) ?? 0) + 1);
      const keywords = [...freq.entries()].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length || a[0].localeCompare(b[0])).slice(0, 3).map(([t]) => t);
      const examples = [...new Set(c.members.map((m) => m.text.trim()))].slice(0, opts.examples);
      return { label: keywords.join(' / '), size: c.members.length, examples, keywords };
    });
}
