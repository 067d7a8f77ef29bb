// GET /search?q=…: the results page, rendered per request from the index in memory. Never cached (the
// page cache ignores query strings, and a reader's query is theirs), never logged, rate limited.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { renderToString } from 'preact-render-to-string';
import { defaultSearchRateLimit } from '../../config/load-config.js';
import type { LiveSite } from '../live-site.js';
import { resultsPerPage, SearchPage, searchPath } from '../views/search-page.js';
import { parseQuery } from './query.js';

export async function searchRoutes(
  app: FastifyInstance,
  { live, perMinute = defaultSearchRateLimit }: { live: LiveSite; perMinute?: number },
) {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many searches from your address. Please try again in ${context.after}.`), {
        statusCode: 429,
      }),
  });

  app.get(
    searchPath,
    { config: { rateLimit: { max: perMinute, timeWindow: 60_000 } } },
    async (request, reply) => {
      if (live.isStale()) await live.refresh();
      const parameters = request.query as Record<string, unknown>;
      const query = parseQuery(firstString(parameters.q));
      const outcome = await live.search.search(query, {
        offset: (pageNumber(firstString(parameters.page)) - 1) * resultsPerPage,
        limit: resultsPerPage,
      });
      const page = SearchPage({ chrome: live.current.chrome, query, outcome });
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex')
        .send(`<!doctype html>\n${renderToString(page)}`);
    },
  );
}

/** Pages are numbered from 1; anything else asks for the first. Past the last, the page says so. */
function pageNumber(text: string): number {
  return /^[1-9]\d{0,3}$/.test(text) ? Number(text) : 1;
}

/** `?q=a&q=b` gives the first; anything but text gives an empty query. */
function firstString(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}
