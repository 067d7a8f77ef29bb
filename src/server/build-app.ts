// The web application: pages from memory first, then Fastify for everything dynamic, on an HTTP server
// that slow or vanishing clients cannot exhaust.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AdminDependencies } from '../admin/admin-dependencies.js';
import type { Clock } from '../clock.js';
import type { TrustProxy } from '../config/trust-proxy.js';
import type { Metrics } from '../observability/metrics.js';
import type { OperatorEndpoints } from '../observability/operator-endpoints.js';
import { RequestTally } from '../observability/request-minutes.js';
import { operatorRoutes } from '../observability/routes.js';
import type { LiveSite } from '../site/live-site.js';
import type { PreviewSigner } from '../site/preview-link.js';
import { previewRoutes } from '../site/preview-routes.js';
import { siteRoutes } from '../site/routes.js';
import { searchRoutes } from '../site/search/routes.js';
import { servePage } from '../site/serve-page.js';
import { defaultRateLimits, type RateLimits, subscriptionRoutes } from '../subscriptions/routes.js';
import type { Subscriptions } from '../subscriptions/subscriptions.js';
import { answerClientError, answerFrameworkError, handleErrors } from './handle-errors.js';

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
}

/**
 * Node's defaults let a client take 60 s to send its headers and 300 s for its body, and checks them
 * only every 30 s: a thousand slow connections then hold a thousand descriptors for minutes. A
 * reader's browser sends a request in milliseconds; these leave room for a bad mobile link.
 */
export const httpLimits = {
  headersTimeout: 10_000,
  requestTimeout: 20_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
  /** Open connections per client address; a browser opens six, a small office behind NAT a few dozen. */
  connectionsPerClient: 128,
} as const;

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { live } = deps;
  const trustProxy = deps.trustProxy ?? false;
  const metrics = deps.metrics;
  // Without a recorder the counts go nowhere; counting them anyway keeps one path for every page.
  const tally = deps.requestTally ?? new RequestTally();
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
    // Pages are answered before Fastify's routing; a scheduled note coming due falls through so that
    // the not-found handler can rebuild before it answers.
    serverFactory: (handler) => {
      const server = createServer(
        {
          headersTimeout: httpLimits.headersTimeout,
          requestTimeout: httpLimits.requestTimeout,
          keepAliveTimeout: httpLimits.keepAliveTimeout,
          connectionsCheckingInterval: httpLimits.connectionsCheckingInterval,
        },
        metrics
          ? (req: IncomingMessage, res: ServerResponse) => {
              // Two clock reads, two increments and a counter: pages are the hot path.
              const start = performance.now();
              if (live.isStale() || !servePage(live.pages, req, res, () => handler(req, res)))
                return handler(req, res);
              tally.page();
              metrics.pageServed(req.method ?? 'GET', res.statusCode, (performance.now() - start) / 1000);
            }
          : (req: IncomingMessage, res: ServerResponse) => {
              if (live.isStale() || !servePage(live.pages, req, res, () => handler(req, res)))
                return handler(req, res);
              tally.page();
            },
      );
      // Behind a proxy every reader shares the proxy's address: limiting slow clients is its job there.
      server.on(
        'connection',
        connectionGuard(trustProxy === false ? httpLimits.connectionsPerClient : Infinity),
      );
      return server;
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
  return app;
}

/** The operators' routes on the public port: not answers to readers, so outside the availability budget. */
const operatorPaths = new Set(['/readyz', '/metrics']);

/** Closes connections beyond the cap per client address at once, before they hold anything. */
function connectionGuard(perClient: number): (socket: Socket) => void {
  const open = new Map<string, number>();
  return (socket) => {
    // Read now: Node caches the peer address on first read. A client that resets mid-request leaves a
    // socket whose address can no longer be asked, and request.ip (the rate limits' key) would be
    // undefined: an error and a 500 for every reset.
    const address = socket.remoteAddress;
    if (address === undefined) return void socket.destroy();
    const count = (open.get(address) ?? 0) + 1;
    if (count > perClient) return void socket.destroy();
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  };
}
