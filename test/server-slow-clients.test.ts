// The real HTTP server on 127.0.0.1 against clients that are slow, greedy or vanish: readers are still
// served, slow requests are cut off, resets leave no error behind. Every socket is destroyed afterwards.
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { buildApp } from '../src/server/build-app.js';
import { openServices, type Services } from '../src/server/open-services.js';
import { httpLimits } from '../src/server/site-server.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { FakeClock } from './support/fake-clock.js';
import { createLiveSite, siteUrl } from './support/site-app.js';
import { testSecret } from './support/subscription-app.js';

const sockets: Socket[] = [];
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await close?.();
  close = undefined;
});

/** The whole site with subscriptions, listening on a real port, logging into `lines`. */
async function listen() {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const clock = new FakeClock('2026-11-25T10:00:00Z');
  const database: TestDatabase = await createTestDatabase('sqlite');
  const dataDir = await mkdtemp(join(tmpdir(), 'eb-data-'));
  const config = loadConfig({ SITE_URL: siteUrl, DATA_DIR: dataDir, SECRET: testSecret }, {}, dataDir);
  const live = await createLiveSite(clock);
  const services: Services = await openServices(config, { live, log, clock, db: database.db });
  const app: FastifyInstance = await buildApp({ live, log, clock, subscriptions: services.subscriptions });
  const statuses: number[] = [];
  app.addHook('onResponse', async (_request, reply) => {
    statuses.push(reply.statusCode);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  close = async () => {
    await app.close();
    await services.close();
    await database.drop();
  };
  return { port, lines, statuses };
}

async function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  sockets.push(socket);
  socket.on('error', () => {});
  // Read whatever comes: a socket that is never read never sees the server's close.
  socket.resume();
  await once(socket, 'connect');
  return socket;
}

const closed = (socket: Socket) =>
  socket.closed ? Promise.resolve() : once(socket, 'close').then(() => undefined);

describe('the HTTP server under slow clients', () => {
  it('serves a new reader while 1,000 slow-header connections come from one address', async () => {
    const { port } = await listen();
    const slow = await Promise.all(
      Array.from({ length: 1000 }, async () => {
        const socket = await open(port, '127.0.0.2');
        socket.write('GET / HTTP/1.1\r\nHost: errorbudget.test\r\nX-Slow: ');
        return socket;
      }),
    );
    // Served, and well before any slow connection timed out: the reader did not wait for a free slot.
    const page = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
    expect(page.status).toBe(200);
    // Beyond the cap per address the server hung up at once; the rest are cut off by the header timeout.
    await new Promise((r) => setTimeout(r, 200));
    expect(slow.filter((s) => !s.closed).length).toBeLessThanOrEqual(httpLimits.connectionsPerClient);
    const limit = httpLimits.headersTimeout + 2 * httpLimits.connectionsCheckingInterval + 1000;
    await Promise.race([
      Promise.all(slow.map(closed)),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`${slow.filter((s) => !s.closed).length} slow clients still held`)),
          limit,
        ),
      ),
    ]);
  });

  it('cuts off a request body that trickles in after the request timeout', async () => {
    const { port } = await listen();
    const socket = await open(port);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    const started = Date.now();
    socket.write(
      'POST /subscribe HTTP/1.1\r\nHost: errorbudget.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=',
    );
    const trickle = setInterval(() => socket.write('a'), 1000);
    try {
      await closed(socket);
    } finally {
      clearInterval(trickle);
    }
    const held = Date.now() - started;
    expect(held).toBeGreaterThanOrEqual(httpLimits.requestTimeout - 100);
    expect(held).toBeLessThan(httpLimits.requestTimeout + 2 * httpLimits.connectionsCheckingInterval + 1000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain("content-security-policy: default-src 'none'");
  }, 40_000);

  it('logs nothing and answers no 5xx when clients reset their connection mid-request', async () => {
    const { port, lines, statuses } = await listen();
    for (let i = 0; i < 30; i++) {
      const socket = await open(port);
      socket.write(
        `POST /subscribe HTTP/1.1\r\nHost: errorbudget.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=reader${i}%40exa`,
      );
      // Half of them reset before the server could read the request, half while it waits for the body.
      if (i % 2) await new Promise((r) => setTimeout(r, 20));
      socket.resetAndDestroy();
      await closed(socket);
    }
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(lines.filter((l) => JSON.parse(l).level >= 40)).toEqual([]);
  });
});
