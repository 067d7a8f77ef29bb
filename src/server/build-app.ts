// The web application: pages from memory first, then Fastify for everything dynamic.
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LiveSite } from '../site/live-site.js';
import { siteRoutes } from '../site/routes.js';
import { servePage } from '../site/serve-page.js';
import { defaultRateLimits, type RateLimits, subscriptionRoutes } from '../subscriptions/routes.js';
import type { Subscriptions } from '../subscriptions/subscriptions.js';
import { handleErrors } from './handle-errors.js';

export interface AppDependencies {
  live: LiveSite;
  log: Logger;
  clock: Clock;
  /** Without it the site is pages only (as `export` and page tests see it). */
  subscriptions?: Subscriptions;
  rateLimits?: RateLimits;
  trustProxy?: boolean | string[];
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { live } = deps;
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Readers are not tracked: no access log keeps their addresses. Errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
    // Longer than any request line Node accepts: an overlong token gets our own "not valid" page
    // rather than the router's terse error.
    routerOptions: { maxParamLength: 16 * 1024 },
    // Pages are answered before Fastify's routing; a scheduled note coming due falls through so that
    // the not-found handler can rebuild before it answers.
    serverFactory: (handler) =>
      createServer((req, res) => {
        if (live.isStale() || !servePage(live.pages, req, res)) handler(req, res);
      }),
  });
  handleErrors(app, live);
  if (deps.subscriptions) {
    await app.register(subscriptionRoutes, {
      live,
      subscriptions: deps.subscriptions,
      limits: deps.rateLimits ?? defaultRateLimits,
    });
  }
  await app.register(siteRoutes, { live });
  return app;
}
