// A plain static file server, as a static host would be: files only, `$uri`, `$uri.html`,
// `$uri/index.html` (nginx try_files), no errorbudget behind it and none of its headers.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  xml: 'application/xml',
  json: 'application/json',
};

export async function startStaticServer(root: () => string) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    for (const candidate of [path, `${path}.html`, join(path, 'index.html')]) {
      try {
        const body = await readFile(join(root(), candidate));
        const extension = candidate.slice(candidate.lastIndexOf('.') + 1);
        res.writeHead(200, { 'content-type': types[extension] ?? 'application/octet-stream' });
        return void res.end(body);
      } catch {}
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
