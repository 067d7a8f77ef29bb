import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startWorker, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import { testSecret } from './support/subscription-app.js';

const postgresUrl = process.env.TEST_POSTGRES_URL;

async function admin(...texts: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    for (const text of texts) await client.query(text);
  } finally {
    await client.end();
  }
}

async function readyz(
  url: string,
): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: await response.json() };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  let value = await read();
  for (const end = Date.now() + timeoutMs; !done(value) && Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 200));
    value = await read();
  }
  return value;
}

// A database of its own (not a schema): the test refuses every connection to it, as a stopped server
// would, without stopping the PostgreSQL that other tests share.
describe.skipIf(!postgresUrl)('readiness while PostgreSQL goes away and comes back', () => {
  const name = `eb_ready_${randomBytes(4).toString('hex')}`;
  let worker: ServeProcess | undefined;
  beforeAll(async () => {
    await admin(`create database ${name}`);
  });
  afterAll(async () => {
    if (worker) await stopped(worker.child, 'SIGTERM');
    await admin(
      `alter database ${name} allow_connections true`,
      `drop database if exists ${name} with (force)`,
    );
  });

  it('turns /readyz to 503 while the database refuses connections, and back to 200 after', async () => {
    const url = new URL(postgresUrl as string);
    url.pathname = `/${name}`;
    worker = await startWorker(['--content', fixtureContent], {
      DATABASE_URL: url.toString(),
      DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')),
      SECRET: testSecret,
      METRICS_PORT: '0',
    });
    const before = await readyz(worker.url);
    expect(before).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', migrations: 'ok', worker: 'ok' } },
    });

    await admin(
      `alter database ${name} allow_connections false`,
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`,
    );
    const down = await until(
      () => readyz(worker?.url ?? ''),
      (r) => r.status === 503,
    );
    expect(down).toEqual({
      status: 503,
      body: {
        status: 'not ready',
        checks: { database: 'does not answer', migrations: 'not checked', worker: 'ok' },
      },
    });
    // Alive all along: a supervisor must not restart a process only because its database is away.
    const alive = await fetch(`${worker.url}/healthz`).catch(() => undefined);
    expect(alive?.status, worker.output()).toBe(200);

    await admin(`alter database ${name} allow_connections true`);
    const up = await until(
      () => readyz(worker?.url ?? ''),
      (r) => r.status === 200,
    );
    expect(up.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', worker: 'ok' } });
    expect(worker.child.exitCode).toBeNull();
  });
});
