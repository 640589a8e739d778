import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { OpenAIEmbeddings } from '@langchain/openai';
import type { Config } from '../../core/config.js';
import { HASHING_DIMENSIONS, HashingEmbeddings } from './hashing.js';

export interface EmbeddingProvider {
  embeddings: EmbeddingsInterface;
  /** Stable identity of the vector space (provider + model + featuriser version): vectors from two ids never mix. */
  id: string;
  /** Known up front for local models; learnt from the first vector for remote ones. */
  dimensions?: number;
}

// Bump when the featuriser changes: stored vectors then no longer match and `kefu reindex` is required.
// v2: question words are stripped before featurising (text/question-words.ts).
const LOCAL_ID = `local/hashing-v2-${HASHING_DIMENSIONS}`;
const DEFAULT_OPENAI_MODEL = 'text-embedding-3-small';

export function createEmbeddingProvider(
  config: Pick<Config, 'EMBEDDINGS_PROVIDER' | 'EMBEDDINGS_MODEL' | 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>,
): EmbeddingProvider {
  switch (config.EMBEDDINGS_PROVIDER) {
    case 'local':
      return { embeddings: new HashingEmbeddings(), id: LOCAL_ID, dimensions: HASHING_DIMENSIONS };
    case 'openai': {
      const model = config.EMBEDDINGS_MODEL ?? DEFAULT_OPENAI_MODEL;
      return {
        embeddings: new OpenAIEmbeddings({
          model,
          // Self-hosted OpenAI-compatible servers often need no key, but the client insists on one.
          apiKey: config.OPENAI_API_KEY ?? 'not-needed',
          configuration: config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : undefined,
          batchSize: 256,
          maxRetries: 3,
        }),
        id: `openai/${model}`,
      };
    }
    default: {
      const unknown: never = config.EMBEDDINGS_PROVIDER;
      throw new Error(`unknown EMBEDDINGS_PROVIDER ${String(unknown)}`);
    }
  }
}
