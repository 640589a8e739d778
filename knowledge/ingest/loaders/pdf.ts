import { PDFParse } from 'pdf-parse';
import { LoadError, type LoadedDocument, type RawSource } from '../types.js';
import { loadPlainText } from './text.js';

/** PDF text per page (pdf-parse); each page is a section named "p. N" so citations point at a page. */
export async function loadPdf(raw: RawSource): Promise<LoadedDocument> {
  const parser = new PDFParse({ data: new Uint8Array(raw.bytes) });
  try {
    const result = await parser.getText();
    const pages = result.pages.map((p) => ({ heading: `p. ${p.num}`, text: p.text.trim() })).filter((p) => p.text.length > 0);
    if (pages.length === 0) throw new LoadError('no extractable text (scanned PDF?)');
    const info = await parser.getInfo().catch(() => undefined);
    const infoTitle: unknown = info?.info?.Title;
    const doc = loadPlainText(raw, pages.map((p) => p.text).join('\n\n'), 'pdf', pages);
    return typeof infoTitle === 'string' && infoTitle.trim() ? { ...doc, title: infoTitle.trim() } : doc;
  } catch (err) {
    if (err instanceof LoadError) throw err;
    throw new LoadError(`unreadable PDF: ${(err as Error).message}`);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}
