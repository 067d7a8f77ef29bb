// Answers that Node or Fastify give before any route or hook runs still carry every security header.
import { once } from 'node:events';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../src/site/security-headers.js';
import { FakeClock } from './support/fake-clock.js';
import { buildSiteApp } from './support/site-app.js';

let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  ({ app } = await buildSiteApp(new FakeClock('2026-11-25T10:00:00Z')));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => app.close());

/** Sends bytes as they are, and reads the answer until the server closes or the answer is complete. */
async function raw(request: string): Promise<{ status: number; headers: Map<string, string> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk;
    if (text.includes('\r\n\r\n')) socket.destroy();
  });
  await once(socket, 'connect');
  socket.write(request);
  await once(socket, 'close');
  const [head = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers };
}

describe('framework-level error answers', () => {
  it.each([
    ['a URL the router cannot decode', 'GET /notes/%E0%A4%A HTTP/1.1\r\nHost: errorbudget.test\r\n\r\n', 400],
    [
      'headers larger than Node accepts',
      `GET / HTTP/1.1\r\nHost: e\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400],
    ['a header with a control character', 'GET / HTTP/1.1\r\nHost: e\r\nX-Bad: a\u0001b\r\n\r\n', 400],
  ])('answers %s with %i and every security header', async (_name, request, status) => {
    const answer = await raw(request);
    expect(answer.status).toBe(status);
    for (const [name, value] of Object.entries(securityHeaders)) expect(answer.headers.get(name)).toBe(value);
  });
});
