// Answers GET and HEAD for pages from memory: no routing, no Markdown, no database, no hooks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CachedPage, type Encoding, encodedBody, etagFor, type PageCache } from './page-cache.js';

function negotiateEncoding(header: string | string[] | undefined): Encoding {
  if (typeof header !== 'string' || header === '') return 'identity';
  if (!header.includes('q='))
    return /\bbr\b/.test(header) ? 'br' : /\bgzip\b/.test(header) ? 'gzip' : 'identity';
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([\d.]+)/.exec(param)?.[1]).find(Boolean);
    if (name) accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  return weight('gzip') > 0 ? 'gzip' : 'identity';
}

function matchesEtag(header: string | undefined, page: CachedPage): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === `"${page.hash}"` || value === `"${page.hash}-gzip"` || value === `"${page.hash}-br"`;
  });
}

/** Headers as the flat list Node takes, made once per page and encoding: the hot path allocates nothing. */
function responseHeaders(page: CachedPage, encoding: Encoding, body: Buffer): string[] {
  page.headers ??= {};
  let headers = page.headers[encoding];
  if (!headers) {
    headers = [...page.baseHeaders, 'etag', etagFor(page, encoding), 'content-length', String(body.length)];
    if (encoding !== 'identity') headers.push('content-encoding', encoding);
    page.headers[encoding] = headers;
  }
  return headers;
}

export function sendPage(page: CachedPage, req: IncomingMessage, res: ServerResponse, status = 200): void {
  const { encoding, body } = encodedBody(page, negotiateEncoding(req.headers['accept-encoding']));
  if (status === 200 && matchesEtag(req.headers['if-none-match'], page)) {
    res.writeHead(304, [...page.baseHeaders, 'etag', etagFor(page, encoding)]);
    res.end();
    return;
  }
  res.writeHead(status, responseHeaders(page, encoding, body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Returns false when the request is not for a page, leaving it to the application's routes. A page whose
 * note is still being rendered is sent when it is ready; should it turn out to have no page after all (a
 * note with a mistake in its body), the request goes to `otherwise`.
 */
export function servePage(
  cache: PageCache,
  req: IncomingMessage,
  res: ServerResponse,
  otherwise?: () => void,
): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const page = cache.lookup(path);
  if (page instanceof Promise) {
    page.then(
      (ready) => {
        if (ready) sendPage(ready, req, res);
        else if (otherwise) otherwise();
        else if (cache.notFound) sendPage(cache.notFound, req, res, 404);
        else res.writeHead(404).end();
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Something went wrong.\n');
      },
    );
    return true;
  }
  if (page) {
    sendPage(page, req, res);
    return true;
  }
  // One address per page: /notes/x/ and /notes/x redirect to the canonical form.
  if (path.length > 1 && path.endsWith('/') && cache.get(path.replace(/\/+$/, ''))) {
    res.writeHead(301, { location: path.replace(/\/+$/, '') + (query === -1 ? '' : url.slice(query)) });
    res.end();
    return true;
  }
  return false;
}
