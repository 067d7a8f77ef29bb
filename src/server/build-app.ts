// The web application: pages from memory first, then Fastify for everything dynamic, on an HTTP server
// that slow or vanishing clients cannot exhaust (site-server.ts).
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AdminDependencies } from '../admin/admin-dependencies.js';
import type { Clock } from '../clock.js';
import type { TrustProxy } from '../config/trust-proxy.js';
import type { Metrics } from '../observability/metrics.js';
import type { OperatorEndpoints } from '../observability/operator-endpoints.js';
import { RequestTally } from '../observability/request-tally.js';
import { operatorRoutes } from '../observability/routes.js';
import type { LiveSite } from '../site/live-site.js';
import type { PreviewSigner } from '../site/preview-link.js';
import { previewRoutes } from '../site/preview-routes.js';
import { siteRoutes } from '../site/routes.js';
import { searchRoutes } from '../site/search/routes.js';
import { defaultRateLimits, type RateLimits, subscriptionRoutes } from '../subscriptions/routes.js';
import type { Subscriptions } from '../subscriptions/subscriptions.js';
import { answerClientError, answerFrameworkError, handleErrors } from './handle-errors.js';
import { createSiteServer, httpLimits, type SiteServer } from './site-server.js';

export interface AppDependencies {
  live: LiveSite;
  log: Logger;
  clock: Clock;
  /** Without it the site is pages only (as `export` and page tests see it). */
  subscriptions?: Subscriptions;
  rateLimits?: RateLimits;
  /** Origins of static copies of the site whose forms may subscribe here (SUBSCRIBE_ORIGINS). */
  subscribeOrigins?: readonly string[];
  trustProxy?: TrustProxy;
  /** Counts requests by route and status, and pages served from memory. */
  metrics?: Metrics;
  /** Counts answers and server errors for the availability budget (Services.availability's tally). */
  requestTally?: RequestTally;
  /** /healthz, /readyz (and /metrics behind the token) on this port. */
  operator?: OperatorEndpoints;
  /** Signs and checks draft preview links; without it there are no previews. */
  preview?: PreviewSigner;
  /** The admin under /admin; without it there is none (pages-only apps, `export`). */
  admin?: AdminDependencies;
  /** Searches per client address per minute (SEARCH_RATE_LIMIT). */
  searchRateLimit?: number;
  /** The server in front, when it already listens (`serve`); otherwise one is made for `listen`. */
  server?: SiteServer;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { live } = deps;
  const trustProxy = deps.trustProxy ?? false;
  const metrics = deps.metrics;
  // Without a recorder the counts go nowhere; counting them anyway keeps one path for every page.
  const tally = deps.requestTally ?? new RequestTally();
  const site = deps.server ?? createSiteServer({ live, tally, trustProxy, metrics });
  let fastifyHandler: Parameters<SiteServer['handOver']>[0] | undefined;
  const app = Fastify({
    // Random, not a per-process counter: an id a reader quotes from an error page names one log line,
    // whichever process served it. A client's own X-Request-Id is not taken: it could forge log lines.
    requestIdHeader: false,
    genReqId: () => randomBytes(9).toString('base64url'),
    loggerInstance: deps.log as FastifyBaseLogger,
    // Readers are not tracked: no access log keeps their addresses. Errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    // A hop count trusts that many proxies nearest to us, counted from the socket's address.
    trustProxy:
      typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    keepAliveTimeout: httpLimits.keepAliveTimeout,
    requestTimeout: httpLimits.requestTimeout,
    // Longer than any request line Node accepts: an overlong token gets our own "not valid" page
    // rather than the router's terse error.
    routerOptions: { maxParamLength: 16 * 1024 },
    frameworkErrors: answerFrameworkError(live),
    clientErrorHandler: answerClientError,
    // Pages are answered before Fastify's routing, by the server in front (see site-server.ts).
    serverFactory: (handler) => {
      fastifyHandler = handler;
      return site.server;
    },
  });
  handleErrors(app, live);
  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern (/confirm/:token), never the URL: tokens must not become label values.
    const route = request.routeOptions.url ?? 'unmatched';
    // A 503 from /readyz tells a load balancer to look elsewhere; no reader was refused by it.
    if (!operatorPaths.has(route)) tally.answered(reply.statusCode);
    metrics?.requestServed(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  if (deps.operator) await app.register(operatorRoutes, deps.operator);
  if (deps.subscriptions) {
    await app.register(subscriptionRoutes, {
      live,
      subscriptions: deps.subscriptions,
      limits: deps.rateLimits ?? defaultRateLimits,
      formOrigins: deps.subscribeOrigins ?? [],
    });
  }
  if (deps.preview) await app.register(previewRoutes, { live, signer: deps.preview, clock: deps.clock });
  if (deps.admin) {
    // Loaded only where there is an admin: its password hashing and WebAuthn modules are not small.
    const { adminRoutes } = await import('../admin/routes.js');
    await app.register(adminRoutes, { ...deps.admin, prefix: '/admin' });
  }
  await app.register(searchRoutes, { live, perMinute: deps.searchRateLimit });
  await app.register(siteRoutes, { live });
  if (fastifyHandler === undefined) throw new Error('Fastify did not ask for its server');
  // A server already listening hands requests over only once every route is registered.
  if (deps.server) await app.ready();
  site.handOver(fastifyHandler);
  return app;
}

/** The operators' routes on the public port: not answers to readers, so outside the availability budget. */
const operatorPaths = new Set(['/readyz', '/metrics']);
