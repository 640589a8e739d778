import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isSupportedFile } from './loaders/index.js';
import { LoadError, type RawSource } from './types.js';

/** One thing to ingest: a file found under a root, or a URL. */
export type SourceItem = { kind: 'file'; source: string; path: string } | { kind: 'url'; source: string; url: string };

export const isUrl = (input: string) => /^https?:\/\//i.test(input);

/** How a path is stored: relative to the working directory when inside it (portable citations), absolute otherwise. */
export function sourceName(file: string, cwd = process.cwd()): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  const inside = relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  return (inside ? relative : absolute).split(path.sep).join('/');
}

/** True when a stored source lies under a root given on the command line (same naming as `sourceName`). */
export function isUnderRoot(source: string, root: string): boolean {
  if (isUrl(source)) return source === root;
  if (root === '') return !path.isAbsolute(source);
  return source === root || source.startsWith(`${root}/`);
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile() && isSupportedFile(entry.name)) files.push(full);
  }
  return files;
}

/**
 * Expands the command-line inputs: folders recursively (supported extensions only, hidden entries skipped), files
 * as given (an unsupported one fails later with a reason), URLs as they are. Missing paths are reported, not thrown.
 */
export async function expandInputs(inputs: string[], cwd = process.cwd()): Promise<{ items: SourceItem[]; roots: string[]; missing: { source: string; reason: string }[] }> {
  const items: SourceItem[] = [];
  const roots: string[] = [];
  const missing: { source: string; reason: string }[] = [];
  const seen = new Set<string>();
  const add = (item: SourceItem) => {
    if (!seen.has(item.source)) {
      seen.add(item.source);
      items.push(item);
    }
  };
  for (const input of inputs) {
    if (isUrl(input)) {
      add({ kind: 'url', source: input, url: input });
      roots.push(input);
      continue;
    }
    const absolute = path.resolve(cwd, input);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      missing.push({ source: sourceName(absolute, cwd), reason: 'no such file or directory' });
      continue;
    }
    roots.push(sourceName(absolute, cwd));
    if (info.isDirectory()) for (const file of await walk(absolute)) add({ kind: 'file', source: sourceName(file, cwd), path: file });
    else add({ kind: 'file', source: sourceName(absolute, cwd), path: absolute });
  }
  return { items, roots, missing };
}

const MAX_BYTES = 50 * 1024 * 1024;

export async function readSource(item: SourceItem, options: { timeoutMs?: number } = {}): Promise<RawSource> {
  if (item.kind === 'file') {
    const info = await stat(item.path);
    if (info.size > MAX_BYTES) throw new LoadError(`file larger than ${MAX_BYTES / 1024 / 1024} MB`);
    return { source: item.source, bytes: await readFile(item.path), name: path.basename(item.path) };
  }
  let res: Response;
  try {
    res = await fetch(item.url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000), redirect: 'follow' });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message;
    throw new LoadError(`fetch failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (!res.ok) throw new LoadError(`HTTP ${res.status} ${res.statusText}`.trim());
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_BYTES) throw new LoadError(`response larger than ${MAX_BYTES / 1024 / 1024} MB`);
  const lastModified = res.headers.get('last-modified');
  const date = lastModified ? new Date(lastModified) : undefined;
  return {
    source: item.source,
    bytes,
    contentType: res.headers.get('content-type') ?? undefined,
    name: new URL(res.url || item.url).pathname,
    lastModified: date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined,
  };
}
