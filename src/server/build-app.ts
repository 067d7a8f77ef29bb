// The web application: pages from memory first, then Fastify for everything dynamic.
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LiveSite } from '../site/live-site.js';
import { siteRoutes } from '../site/routes.js';
import { servePage } from '../site/serve-page.js';
import { handleErrors } from './handle-errors.js';

export interface AppDependencies {
  live: LiveSite;
  log: Logger;
  clock: Clock;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { live } = deps;
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Readers are not tracked: no access log keeps their addresses. Errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    // Pages are answered before Fastify's routing; a scheduled note coming due falls through so that
    // the not-found handler can rebuild before it answers.
    serverFactory: (handler) =>
      createServer((req, res) => {
        if (live.isStale() || !servePage(live.pages, req, res)) handler(req, res);
      }),
  });
  handleErrors(app, live);
  await app.register(siteRoutes, { live });
  return app;
}
