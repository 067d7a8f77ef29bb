// The operators' own listener (METRICS_PORT, loopback by default): metrics, health and readiness, for
// `serve` beside its public port and for `worker`, which has no other port at all.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  healthz,
  metricsAnswer,
  type OperatorAnswer,
  type OperatorEndpoints,
  readyz,
} from './operator-endpoints.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  o: OperatorEndpoints,
  listen: { host: string; port: number },
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = async (): Promise<OperatorAnswer> => {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return { status: 405, headers: { allow: 'GET, HEAD' }, body: '' };
      if (path === '/metrics') return metricsAnswer(o, req.headers.authorization);
      if (path === '/healthz') return healthz();
      if (path === '/readyz') return readyz(o);
      return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found\n' };
    };
    answer().then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('could not collect\n');
      },
    );
  });
  // Prometheus scrapes every few seconds; idle connections must not hold a stopping process open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
