import type { AnswerResult, Language } from '../core/domain.js';

export interface AnswerQuery {
  text: string;
  language?: Language;
  history?: { role: string; text: string }[];
  /** The intent already known (intent routing classified the message); the chain then does not classify again. */
  intent?: string | null;
}

/** The answer activity's one dependency on the knowledge side; the RAG chain and the FAQ matcher both implement it. */
export interface Answerer {
  answer(query: AnswerQuery): Promise<AnswerResult>;
}
