// How the subscription routes answer a browser: one of pages.tsx's views, never cached or indexed,
// because every one of them is about one person's link.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderToString } from 'preact-render-to-string';
import type { LiveSite } from '../site/live-site.js';
import type { Request } from './context.js';
import { renderView, type View } from './pages.js';

export function sendView(live: LiveSite, request: FastifyRequest, reply: FastifyReply, view: View) {
  const page = renderView(live.current.chrome, request.url, view);
  return reply
    .code(view.status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .send(`<!doctype html>\n${renderToString(page)}`);
}

/** Who acted, for the proof of consent. */
export function requester(request: FastifyRequest): Request {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' };
}
