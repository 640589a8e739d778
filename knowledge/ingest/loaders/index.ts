import path from 'node:path';
import { LoadError, type LoadedDocument, type RawSource } from '../types.js';
import { loadFaqCsv, loadFaqJson } from './faq.js';
import { loadHtml } from './html.js';
import { loadMarkdown } from './markdown.js';
import { loadPdf } from './pdf.js';
import { loadPlainText } from './text.js';

type Loader = (raw: RawSource) => LoadedDocument | Promise<LoadedDocument>;

const BY_EXTENSION: Record<string, Loader> = {
  '.md': loadMarkdown,
  '.markdown': loadMarkdown,
  '.html': loadHtml,
  '.htm': loadHtml,
  '.txt': loadPlainText,
  '.text': loadPlainText,
  '.pdf': loadPdf,
  '.csv': loadFaqCsv,
  '.json': loadFaqJson,
};

const BY_CONTENT_TYPE: Record<string, Loader> = {
  'text/markdown': loadMarkdown,
  'text/x-markdown': loadMarkdown,
  'text/html': loadHtml,
  'application/xhtml+xml': loadHtml,
  'text/plain': loadPlainText,
  'application/pdf': loadPdf,
  'text/csv': loadFaqCsv,
  'application/json': loadFaqJson,
};

export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION);

export function isSupportedFile(name: string): boolean {
  return path.extname(name).toLowerCase() in BY_EXTENSION;
}

/**
 * Picks the loader by file extension; for HTTP sources the extension of the URL path wins over a generic
 * Content-Type (servers send text/plain for .md), otherwise the Content-Type decides.
 */
export async function loadDocument(raw: RawSource): Promise<LoadedDocument> {
  const byExtension = BY_EXTENSION[path.extname(raw.name).toLowerCase()];
  const mime = raw.contentType?.split(';')[0]?.trim().toLowerCase();
  const byType = mime ? BY_CONTENT_TYPE[mime] : undefined;
  const loader = byExtension ?? byType;
  if (!loader) throw new LoadError(`unsupported file type${mime ? ` ${mime}` : ''} (supported: ${SUPPORTED_EXTENSIONS.join(' ')})`);
  if (loader !== loadPdf) {
    if (raw.bytes.includes(0)) throw new LoadError('binary content where text was expected');
    const text = raw.bytes.toString('utf8');
    const invalid = text.match(/\uFFFD/g)?.length ?? 0;
    if (invalid > Math.max(2, text.length * 0.01)) throw new LoadError('not valid UTF-8 text (convert the file to UTF-8 first)');
  }
  return loader(raw);
}
