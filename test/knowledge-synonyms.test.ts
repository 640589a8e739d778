import { Document } from '@langchain/core/documents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashingVector } from '../knowledge/embeddings/hashing.js';
import { HybridRetriever } from '../knowledge/store/hybrid-retriever.js';
import type { PgKnowledgeStore } from '../knowledge/store/pg-knowledge-store.js';
import type { ChunkMetadata } from '../knowledge/store/types.js';
import { keywordTokens } from '../knowledge/text/keywords.js';
import { configuredSynonyms, loadSynonyms, parseSynonyms, SynonymsError, type SynonymTable } from '../knowledge/text/synonyms.js';
import { openTestDb, openTestKnowledge, type TestDb } from './helpers/knowledge.js';

const table = (yaml: string) => parseSynonyms(yaml, 'synonyms.yaml');
const errorOf = (yaml: string): string => {
  try {
    table(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(SynonymsError);
    return (err as Error).message;
  }
  throw new Error('expected the file to be rejected');
};

describe('synonyms file', () => {
  it('when the shipped config/synonyms.yaml is loaded, then it is valid and expands a customer word with its group at weight 0.5', async () => {
    const shipped = await loadSynonyms();
    expect(shipped.size).toBeGreaterThan(0);
    expect(shipped.expand(keywordTokens('宽带坏了'), 'zh')).toContainEqual({ term: '故障', weight: 0.5, source: '坏' });
  });

  it('when SYNONYMS_FILE is off, then there is no synonym table', async () => {
    expect(await configuredSynonyms('off')).toBeUndefined();
    expect(await configuredSynonyms(' OFF ')).toBeUndefined();
  });

  it('when the file has several mistakes, then each is reported with its line, group and term', () => {
    const message = errorOf(['weight: 1', 'zh:', '  - [退款, 退钱]', '  - [退钱, 退费]', '  - [吗, 呢]', 'en:', '  - [refund]', 'fr: []'].join('\n'));
    expect(message).toContain('synonyms.yaml:1: weight: must be below 1');
    expect(message).toMatch(/synonyms\.yaml:7: en group 1: a group needs at least two terms/);
    expect(message).toMatch(/fr/);
    // Schema errors come first; fix them and the cross-checks follow.
    const second = errorOf(['zh:', '  - [退款, 退钱]', '  - [退钱, 退费]', '  - [吗, 呢]'].join('\n'));
    expect(second).toContain('synonyms.yaml:3: zh group 2, term 1: "退钱" is already in zh group 1');
    expect(second).toContain('synonyms.yaml:4: zh group 3, term 1: "吗" has no search word');
  });

  it('when the file is not YAML, then the error says so', () => {
    expect(errorOf('zh: [[退款, 退钱]')).toMatch(/synonyms\.yaml is not valid YAML/);
  });

  it('when the file is missing, then the error names it', async () => {
    await expect(loadSynonyms('/nonexistent/synonyms.yaml')).rejects.toThrow(/cannot read synonyms file \/nonexistent\/synonyms\.yaml: ENOENT/);
  });

  it('when a question holds a phrase of a group, then the group is added, but the phrase is never added to other questions', () => {
    const t = table('en:\n  - [refund, money back]\n');
    expect(t.expand(keywordTokens('can I get my money back'), 'en').map((e) => e.term)).toEqual(['refund']);
    expect(t.expand(keywordTokens('how do refunds work'), 'en')).toEqual([]);
  });

  it('when a language is given, then only that language\'s groups apply', () => {
    const t = table('zh:\n  - [退款, 退钱]\nen:\n  - [refund, reimburse]\n');
    expect(t.expand(['refund'], 'zh')).toEqual([]);
    expect(t.expand(['refund'], 'en').map((e) => e.term)).toEqual(['reimburs']);
  });

  it('when a query is embedded without expansions, then its vector is the document featuriser\'s (stored vectors stay valid)', () => {
    const text = '宽带故障修复时限';
    expect(hashingVector(text, 512, [])).toEqual(hashingVector(text));
    expect(hashingVector(text, 512, [{ term: '修好', weight: 0.5 }])).not.toEqual(hashingVector(text));
  });
});

describe('retrieval with synonyms', () => {
  let t: TestDb;
  let store: PgKnowledgeStore;
  let synonyms: SynonymTable;
  const chunk = (source: string, title: string, text: string) =>
    new Document<ChunkMetadata>({ pageContent: text, metadata: { source, title, lang: 'zh', tags: [], kind: 'markdown', ord: 0 } });

  beforeAll(async () => {
    t = await openTestDb('pglite');
    store = (await openTestKnowledge(t.db)).store;
    synonyms = table('zh:\n  - [坏了, 故障]\n  - [修好, 修复]\n');
    await store.addDocuments([
      chunk('own-words.md', '宽带坏了', '宽带坏了先重启光猫。'),
      chunk('article-words.md', '宽带故障', '宽带故障请先重启光猫，城区24小时内修复。'),
      chunk('other.md', '退款', '退款在3个工作日内原路退回。'),
    ]);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('when the customer\'s words differ from the article\'s, then the synonyms raise the article\'s evidence', async () => {
    const question = '宽带坏了多久能修好';
    const plain = await new HybridRetriever({ store }).retrieve(question, { filter: { lang: 'zh' } });
    const expanded = await new HybridRetriever({ store, synonyms }).retrieve(question, { filter: { lang: 'zh' } });
    const relevanceOf = (r: typeof plain) => r.chunks.find((c) => c.metadata.source === 'article-words.md')?.scores.relevance ?? 0;
    expect(expanded.expansions.map((e) => e.term).sort()).toEqual(['修复', '故障']);
    expect(plain.expansions).toEqual([]);
    expect(relevanceOf(expanded)).toBeGreaterThan(relevanceOf(plain));
  });

  it('when one article uses the customer\'s own word and another its synonym, then the own word ranks first', async () => {
    const [first] = await new HybridRetriever({ store, synonyms }).search('宽带坏了', { filter: { lang: 'zh' } });
    expect(first?.metadata.source).toBe('own-words.md');
  });
});
