// The subscriptions plugin: body parsers, rate limits and the same-site check shared by its routes,
// which live in one file per action (subscribe, confirm, leave, manage).
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { LiveSite } from '../site/live-site.js';
import { wantsJson } from '../site/send-message.js';
import { sendView } from './answer.js';
import { confirmRoutes } from './confirm-routes.js';
import { allowedFormOrigin, subscribeCors } from './form-origins.js';
import { leaveRoutes } from './leave-routes.js';
import { manageRoutes } from './manage-routes.js';
import { isOneClick } from './one-click-unsubscribe.js';
import * as pages from './pages.js';
import { isFromThisSite } from './same-origin.js';
import { subscribeRoute } from './subscribe-route.js';
import type { Subscriptions } from './subscriptions.js';

export interface RateLimits {
  /** Subscribe requests per IP address per minute. */
  subscribePerMinute: number;
  /** Requests to token links per IP address per minute: enough for people, far too few to guess. */
  linksPerMinute: number;
}

export const defaultRateLimits: RateLimits = { subscribePerMinute: 10, linksPerMinute: 60 };

export async function subscriptionRoutes(
  app: FastifyInstance,
  {
    live,
    subscriptions,
    limits,
    formOrigins = [],
  }: {
    live: LiveSite;
    subscriptions: Subscriptions;
    limits: RateLimits;
    /** Origins of static copies of the site whose forms may post to /subscribe (SUBSCRIBE_ORIGINS). */
    formOrigins?: readonly string[];
  },
) {
  // First, so that a preflight is answered before any other hook can refuse it.
  await subscribeCors(app, formOrigins);
  await app.register(formbody, { bodyLimit: 4096 });
  // RFC 8058 allows the one-click POST as multipart; only its one field matters, so it is read as text.
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, { multipart: body }),
  );
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many requests from your address. Please try again in ${context.after}.`), {
        statusCode: 429,
      }),
  });

  // Every POST here changes someone's subscription. Only RFC 8058's one-click unsubscribe comes, by
  // design, from elsewhere: a mail provider, with nothing but the link; and subscribing, from the
  // static copies of the site the operator named.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || isFromThisSite(request, live.current.chrome.siteUrl)) return;
    if (request.url.startsWith('/unsubscribe/') && isOneClick(request.body)) return;
    if (allowedFormOrigin(request, formOrigins)) return;
    request.log.info({ url: request.routeOptions.url }, 'refused a form posted from another site');
    if (wantsJson(request)) return reply.code(403).send({ error: pages.crossSite.title });
    return sendView(live, request, reply, pages.crossSite);
  });

  const perMinute = (max: number) => ({ config: { rateLimit: { max, timeWindow: 60_000 } } });
  const links = { live, subscriptions, limit: perMinute(limits.linksPerMinute) };
  subscribeRoute(app, { live, subscriptions, limit: perMinute(limits.subscribePerMinute), formOrigins });
  confirmRoutes(app, links);
  leaveRoutes(app, links);
  manageRoutes(app, links);
}
