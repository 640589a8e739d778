import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Pages run only our own scripts and styles, talk only to this origin, and cannot be framed (clickjacking). */
const PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Asset {
  body: Buffer;
  type: string;
}

/** Every file under public/, read once at start: a fixed set of small files, no path ever comes from a request. */
function loadAssets(dir: string, prefix = ''): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      for (const [k, v] of loadAssets(full, `${prefix}/${name}`)) assets.set(k, v);
    } else {
      const type = TYPES[path.extname(name)];
      if (type) assets.set(`${prefix}/${name}`, { body: readFileSync(full), type });
    }
  }
  return assets;
}

function send(reply: FastifyReply, asset: Asset, opts: { page?: boolean; cache?: string } = {}) {
  reply.header('content-type', asset.type).header('x-content-type-options', 'nosniff');
  reply.header('cache-control', opts.cache ?? 'no-cache');
  if (opts.page) reply.header('content-security-policy', PAGE_CSP).header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');
  return reply.send(asset.body);
}

/**
 * The console's pages and scripts under /console/, the chat widget at /widget.js, and its demo page at /demo
 * (also what / leads to). Plain files, no build step.
 */
export function registerConsoleStatic(app: FastifyInstance): void {
  const assets = loadAssets(PUBLIC_DIR);
  const asset = (key: string) => {
    const a = assets.get(key);
    if (!a) throw new Error(`console asset ${key} is missing`);
    return a;
  };

  app.get('/', (_req, reply) => reply.redirect('/demo'));
  app.get('/demo', (_req, reply) => send(reply, asset('/demo.html'), { page: true }));
  // Embedded in other sites: cacheable, and loadable from any origin.
  app.get('/widget.js', (_req, reply) => {
    reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin');
    return send(reply, asset('/widget.js'), { cache: 'public, max-age=300' });
  });
  app.get('/console', (_req, reply) => reply.redirect('/console/'));
  app.get('/console/', (_req, reply) => send(reply, asset('/console/index.html'), { page: true }));
  app.get<{ Params: { '*': string } }>('/console/*', (req, reply) => {
    const key = `/console/${req.params['*']}`;
    const found = assets.get(key);
    if (!found || key.startsWith('/console/api/')) {
      return reply.status(404).send({ error: { code: 'not_found', message: `No route for GET ${req.url.split('?')[0]}` } });
    }
    return send(reply, found, { page: key.endsWith('.html') });
  });
}
