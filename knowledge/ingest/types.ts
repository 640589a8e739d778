import type { Language } from '../../core/domain.js';
import type { SourceKind } from '../store/types.js';

/** Raw bytes of one source, from a file or an HTTP response. */
export interface RawSource {
  /** File path (relative to the working directory when inside it) or URL. */
  source: string;
  bytes: Buffer;
  /** MIME type from the HTTP response; files are recognised by extension. */
  contentType?: string;
  /** File name or URL path, used for the type and as a last-resort title. */
  name: string;
  lastModified?: string;
}

export interface LoadedSection {
  /** Heading path within the document, e.g. "Shipping fee rules" or "退款时效 › 特殊情况". */
  heading?: string;
  text: string;
}

export interface FaqPair {
  question: string;
  answer: string;
  lang: Language;
  tags: string[];
}

/** A parsed source: document-level metadata plus sections (prose) or question/answer pairs (FAQ). */
export interface LoadedDocument {
  source: string;
  kind: SourceKind;
  title: string;
  lang: Language;
  tags: string[];
  updatedAt?: string;
  articleId?: string;
  sections: LoadedSection[];
  faq: FaqPair[];
}

/** A file that cannot be ingested; the message is shown in the run summary. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
}
