// The admin's static files, from assets/admin/ (and the WebAuthn browser library, from its package):
// read once at start, answered from memory. Nothing in them is secret, so they need no session.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const assetsDir = new URL('../../assets/admin/', import.meta.url);

/** Served as /admin/assets/simplewebauthn-browser.js: the site's own copy, never a CDN. */
export const webauthnBrowserScript = 'simplewebauthn-browser.js';

function webauthnBundle(): Buffer {
  const main = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFileSync(join(dirname(main), '..', 'dist', 'bundle', 'index.umd.min.js'));
}

function loadAssets(): Map<string, Asset> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(assetsDir)) {
    if (types[extname(name)]) files.set(name, readFileSync(new URL(name, assetsDir)));
  }
  files.set(webauthnBrowserScript, webauthnBundle());
  const assets = new Map<string, Asset>();
  for (const [name, body] of files) {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, type: types[extname(name)] ?? 'application/octet-stream', etag });
  }
  return assets;
}

export function adminAssets(app: FastifyInstance): void {
  const assets = loadAssets();
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    // Revalidated on every use: an upgrade changes them at the same address.
    reply.header('cache-control', 'no-cache').header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });
}
