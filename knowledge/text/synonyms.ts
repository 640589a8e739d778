import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { Language } from '../../core/domain.js';
import { keywordTokens } from './keywords.js';

/**
 * Query-side synonym expansion (config/synonyms.yaml, edited by ops): customers write 坏了 / "money back" where the
 * articles say 故障 / "refund", and a lexical index (BM25 and the hashing featuriser) cannot see that. A question
 * term that belongs to a group brings the group's other terms into the search at a lower weight than the customer's
 * own words. Only queries are expanded, so the index — and its term statistics — stay as they are: no reindex when
 * the file changes, and a change can be tried with bench/retrieval.ts at once.
 */

export const DEFAULT_SYNONYMS_FILE = fileURLToPath(new URL('../../config/synonyms.yaml', import.meta.url));
export const DEFAULT_EXPANSION_WEIGHT = 0.5;

/** A search token added to a query: its weight relative to a term the customer wrote, and the term it stands in for. */
export interface Expansion {
  term: string;
  weight: number;
  /** The question token whose group brought it in: scoring credits the two as one concept (fusion.ts). */
  source: string;
}

const term = z.string().trim().min(1, 'must not be empty');
const group = z.array(term, { error: 'a group is a list of terms, e.g. [退款, 退钱]' }).min(2, 'a group needs at least two terms');
const groups = z.array(group, { error: 'a list of groups, one [term, term, …] per line' });

export const synonymsFileSchema = z.strictObject({
  weight: z.number({ error: 'must be a number' }).gt(0, 'must be above 0').lt(1, 'must be below 1 (the customer\'s own words weigh 1)').default(DEFAULT_EXPANSION_WEIGHT),
  zh: groups.default([]),
  en: groups.default([]),
});

export class SynonymsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynonymsError';
  }
}

interface Member {
  text: string;
  /** Search tokens of the term. */
  tokens: string[];
  /** One word (a Chinese compound comes with the words inside it): may be added to a query; phrases only trigger. */
  word: boolean;
}

const isOneWord = (tokens: string[]): boolean => {
  const longest = tokens.reduce((a, b) => (b.length > a.length ? b : a), '');
  return tokens.length > 0 && tokens.every((t) => longest.includes(t));
};
const longestOf = (tokens: string[]): string => tokens.reduce((a, b) => (b.length > a.length ? b : a), '');

export class SynonymTable {
  constructor(
    private readonly groups: Record<Language, Member[][]>,
    readonly weight: number,
  ) {}

  /** No groups: expansion off. */
  static readonly empty = new SynonymTable({ zh: [], en: [] }, DEFAULT_EXPANSION_WEIGHT);

  get size(): number {
    return this.groups.zh.length + this.groups.en.length;
  }

  /** The same groups at another weight (benchmark sweeps). */
  withWeight(weight: number): SynonymTable {
    return new SynonymTable(this.groups, weight);
  }

  /**
   * The tokens to add to a query whose search tokens are `terms`: for every group one of whose terms the query holds
   * (all of that term's words), the group's other one-word terms not already in the query. `lang` restricts the
   * groups to that language (the retriever's language filter); without it both languages' groups apply.
   */
  expand(terms: readonly string[], lang?: Language): Expansion[] {
    const present = new Set(terms);
    const out = new Map<string, Expansion>();
    for (const language of lang ? [lang] : (['zh', 'en'] as const)) {
      for (const members of this.groups[language]) {
        const hit = members.find((m) => m.tokens.every((t) => present.has(t)));
        if (!hit) continue;
        const source = longestOf(hit.tokens);
        for (const m of members) {
          if (m === hit || !m.word || m.tokens.every((t) => present.has(t))) continue;
          for (const t of m.tokens) if (!present.has(t) && !out.has(t)) out.set(t, { term: t, weight: this.weight, source });
        }
      }
    }
    return [...out.values()];
  }
}

interface Problem {
  path: (string | number)[];
  message: string;
}

/** 1-based line of the node at `path` (map keys and sequence indexes), for "config/synonyms.yaml:42". */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  const lineAt = (n: unknown) => {
    const range = (n as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) line = counter.linePos(range[0]).line;
  };
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      lineAt(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      lineAt(node);
    } else break;
  }
  return line;
}

function describe(path: readonly PropertyKey[]): string {
  const [lang, g, m] = path;
  if ((lang === 'zh' || lang === 'en') && typeof g === 'number') return `${lang} group ${g + 1}${typeof m === 'number' ? `, term ${m + 1}` : ''}`;
  return path.map(String).join('.') || '(top level)';
}

/** Checks beyond the schema: every term must leave a search word, and a term may sit in one group per language. */
function buildGroups(file: z.output<typeof synonymsFileSchema>): { groups: Record<Language, Member[][]>; problems: Problem[] } {
  const problems: Problem[] = [];
  const groups: Record<Language, Member[][]> = { zh: [], en: [] };
  for (const lang of ['zh', 'en'] as const) {
    const seen = new Map<string, number>();
    file[lang].forEach((terms, g) => {
      const members: Member[] = [];
      terms.forEach((text, m) => {
        const tokens = [...new Set(keywordTokens(text))];
        if (tokens.length === 0) {
          problems.push({ path: [lang, g, m], message: `"${text}" has no search word (question words and filler words are ignored)` });
          return;
        }
        const key = [...tokens].sort().join(' ');
        const earlier = seen.get(key);
        if (earlier !== undefined && earlier !== g) {
          problems.push({ path: [lang, g, m], message: `"${text}" is already in ${lang} group ${earlier + 1}; a term may be in one group only` });
          return;
        }
        seen.set(key, g);
        // "fix" and "fixed" are one search word: keep it once.
        if (members.some((x) => x.tokens.join(' ') === tokens.join(' '))) return;
        members.push({ text, tokens, word: isOneWord(tokens) });
      });
      if (members.length >= 2) groups[lang].push(members);
      else if (terms.length >= 2 && problems.every((p) => p.path[0] !== lang || p.path[1] !== g)) {
        problems.push({ path: [lang, g], message: 'its terms are all the same search word; a group needs two different ones' });
      }
    });
  }
  return { groups, problems };
}

export function parseSynonyms(yamlText: string, source: string): SynonymTable {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SynonymsError(`${source} is not valid YAML:\n${doc.errors.map((e) => `  - ${e.message.split('\n')[0]}`).join('\n')}`);
  }
  // An empty file (all comments) means no groups.
  const parsed = synonymsFileSchema.safeParse(doc.toJS() ?? {});
  const built = parsed.success ? buildGroups(parsed.data) : undefined;
  const problems: Problem[] = parsed.success ? (built as { problems: Problem[] }).problems : parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
  if (problems.length === 0 && parsed.success && built) return new SynonymTable(built.groups, parsed.data.weight);
  const lines = problems.map((p) => {
    const line = lineOf(doc, counter, p.path);
    return `  - ${source}${line ? `:${line}` : ''}: ${describe(p.path)}: ${p.message}`;
  });
  throw new SynonymsError(`${source} is not a valid synonyms file:\n${[...new Set(lines)].join('\n')}`);
}

export async function loadSynonyms(file: string = DEFAULT_SYNONYMS_FILE): Promise<SynonymTable> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    throw new SynonymsError(`cannot read synonyms file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseSynonyms(content, file);
}

/** SYNONYMS_FILE: a path, unset for config/synonyms.yaml, or `off` (no expansion). */
export async function configuredSynonyms(setting: string | undefined): Promise<SynonymTable | undefined> {
  if (setting?.trim().toLowerCase() === 'off') return undefined;
  return loadSynonyms(setting?.trim() || DEFAULT_SYNONYMS_FILE);
}
