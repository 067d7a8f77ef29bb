import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { type ServeProcess, startWorker, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { testSecret } from './support/subscription-app.js';

const postgresUrl = process.env.TEST_POSTGRES_URL;

async function admin(...texts: string[]): Promise<void> {
  return query(postgresUrl as string, ...texts);
}

async function query(connectionString: string, ...texts: string[]): Promise<void> {
  const client = new pg.Client({ connectionString });
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
  let smtp: SmtpSink;
  beforeAll(async () => {
    await admin(`create database ${name}`);
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    if (worker) await stopped(worker.child, 'SIGTERM');
    await smtp.close();
    await admin(
      `alter database ${name} allow_connections true`,
      `drop database if exists ${name} with (force)`,
    );
  });

  it('turns /readyz to 503 while the database refuses connections, and back to 200 after', async () => {
    const url = new URL(postgresUrl as string);
    url.pathname = `/${name}`;
    const env = {
      DATABASE_URL: url.toString(),
      DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')),
      SECRET: testSecret,
      SMTP_URL: smtp.url,
    };
    // The reader exists before the worker starts, and the worker has made the note's (held) issue
    // before the outage: the readers are those of the moment it is made.
    const migrated = await runCli(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const at = new Date(Date.now() - 3600_000).toISOString();
    await query(
      url.toString(),
      `insert into subscribers (key, email, email_hmac, status, source, created_at, updated_at, confirmed_at) values ('k1', 'reader@example.com', 'h1', 'active', 'test', '${at}', '${at}', '${at}')`,
    );
    worker = await startWorker(['--content', fixtureContent], { ...env, METRICS_PORT: '0' });
    await until(
      () => runCli(['issues'], env),
      (listed) => listed.stdout.includes('restore-drills'),
    );
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

    // Ready means working: an issue resumed now goes out within seconds, not after a pause that every
    // lane failing during the outage had doubled.
    const resumed = await runCli(['resume', 'restore-drills'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [mail] = await smtp.waitFor(1, 30_000);
    expect(mail?.subject).toBe('Restore drills: the only backup metric that matters');
  });
});
