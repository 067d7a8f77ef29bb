// The HTTP server in front of everything: pages from memory first, without routing, and the rest handed
// to Fastify. `serve` makes it and listens as soon as the notes' front matter is read; Fastify, the
// database and the admin are loaded after that, and a request that needs them waits until they are.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TrustProxy } from '../config/trust-proxy.js';
import type { Metrics } from '../observability/metrics.js';
import type { RequestTally } from '../observability/request-tally.js';
import type { LiveSite } from '../site/live-site.js';
import { servePage } from '../site/serve-page.js';

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

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface SiteServer {
  server: Server;
  /** Fastify's handler, once its routes are ready: the requests that waited for it go first. */
  handOver(handler: Handler): void;
}

export function createSiteServer(o: {
  live: LiveSite;
  tally: RequestTally;
  trustProxy: TrustProxy;
  metrics?: Metrics | undefined;
}): SiteServer {
  const { live, tally, metrics } = o;
  let waiting: [IncomingMessage, ServerResponse][] | undefined = [];
  let dynamic: Handler = (req, res) => waiting?.push([req, res]);
  // A scheduled note coming due (a stale site) falls through, so that the not-found handler can rebuild
  // before it answers.
  const server = createServer(
    {
      headersTimeout: httpLimits.headersTimeout,
      requestTimeout: httpLimits.requestTimeout,
      keepAliveTimeout: httpLimits.keepAliveTimeout,
      connectionsCheckingInterval: httpLimits.connectionsCheckingInterval,
    },
    metrics
      ? (req, res) => {
          // Two clock reads, two increments and a counter: pages are the hot path.
          const start = performance.now();
          if (live.isStale() || !servePage(live.pages, req, res, () => dynamic(req, res)))
            return dynamic(req, res);
          tally.page();
          metrics.pageServed(req.method ?? 'GET', res.statusCode, (performance.now() - start) / 1000);
        }
      : (req, res) => {
          if (live.isStale() || !servePage(live.pages, req, res, () => dynamic(req, res)))
            return dynamic(req, res);
          tally.page();
        },
  );
  // Behind a proxy every reader shares the proxy's address: limiting slow clients is its job there.
  server.on(
    'connection',
    connectionGuard(o.trustProxy === false ? httpLimits.connectionsPerClient : Infinity),
  );
  return {
    server,
    handOver(handler) {
      dynamic = handler;
      const queued = waiting ?? [];
      waiting = undefined;
      for (const [req, res] of queued) if (!res.destroyed) handler(req, res);
    },
  };
}

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
