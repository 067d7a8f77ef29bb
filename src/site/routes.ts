// Public routes that are not plain pages: health and not-found.
import type { FastifyInstance } from 'fastify';
import type { LiveSite } from './live-site.js';
import { sendMessage } from './send-message.js';
import { sendPage, servePage } from './serve-page.js';

/** Files that come with a note's rendering: its code colours and its images. */
const renderedAlong = /^\/assets\/code\.[0-9a-f]+\.css(?:\?|$)|\.(?:svg|png|jpe?g|gif|webp|avif)(?:\?|$)/i;

export async function siteRoutes(app: FastifyInstance, { live }: { live: LiveSite }) {
  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    // `rendering`: notes whose bodies a fresh start is still rendering behind (0 once warm).
    return { status: 'ok', notes: live.current.published.length, rendering: live.unrendered };
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (live.isStale()) await live.refresh();
      // A share card asked for in the moments after a start (or an edit) is being drawn: wait for it.
      if (request.url.startsWith('/cards/')) await live.cardsDrawn();
      // While notes are still being rendered, their images and code colours are not known yet: a path
      // that may be one of them is answered once every note is rendered.
      if (renderedAlong.test(request.url)) await live.rendered();
      reply.hijack();
      const notFound = live.pages.notFound;
      const answerNotFound = () => notFound && sendPage(notFound, request.raw, reply.raw, 404);
      if (servePage(live.pages, request.raw, reply.raw, answerNotFound)) return;
      if (notFound) return answerNotFound();
    }
    return sendMessage(live, request, reply, {
      status: 404,
      title: 'Not found',
      message: 'There is nothing at this address.',
    });
  });
}
