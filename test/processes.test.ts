import type { ChildProcess } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { processSetting } from './support/process-setting.js';
import { startServe, startWorker, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { testSecret } from './support/subscription-app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(engines)('web and worker processes apart on %s', (engine) => {
  let t: TestDatabase;
  let smtp: SmtpSink;
  let env: Record<string, string>;
  beforeEach(async () => {
    ({ t, smtp, env } = await processSetting(engine));
  });
  afterEach(async () => {
    await smtp.close();
    await t.drop();
  });

  const count = async (table: 'subscribe_requests' | 'outbox' | 'issues') =>
    Number(
      (
        await t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('serve --no-worker records subscribe requests and leaves every mail and issue to a worker', async () => {
    const web = await startServe(['--content', fixtureContent, '--no-worker'], env);
    try {
      expect(web.output()).toContain('no background work here (--no-worker)');
      const response = await fetch(`${web.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'apart@example.com', form: 'hero' }),
      });
      expect(response.status).toBe(200);
      expect((await fetch(`${web.url}/`)).status).toBe(200);
      // A worker would have decided the request within 200 ms and scheduled the issues at its start.
      await sleep(1500);
      expect(await count('subscribe_requests')).toBe(1);
      expect(await count('outbox')).toBe(0);
      expect(await count('issues')).toBe(0);
    } finally {
      await stopped(web.child, 'SIGTERM');
    }
    // Not even on its way out: deciding requests is a worker's job.
    expect(await count('subscribe_requests')).toBe(1);
    expect(smtp.received).toHaveLength(0);

    const worker = await startWorker(['--content', fixtureContent], env);
    try {
      const [mail] = await smtp.waitFor(1, 20_000);
      expect(mail?.subject).toBe('Confirm your subscription to the error budget');
      expect(await count('subscribe_requests')).toBe(0);
      // The fixture's two published notes are a week and more old: their issues wait for a person.
      for (let i = 0; i < 100 && (await count('issues')) < 2; i++) await sleep(100);
      expect(await count('issues')).toBe(2);
    } finally {
      await stopped(worker.child, 'SIGTERM');
    }
  });
});

describe.skipIf(!engines.includes('postgres'))('two workers on one PostgreSQL database', () => {
  let t: TestDatabase;
  let smtp: SmtpSink;
  afterEach(async () => {
    await smtp.close();
    await t.drop();
  });

  it('create the issue of a note that comes due once, and mail each reader once', async () => {
    t = await createTestDatabase('postgres');
    smtp = await startSmtpSink({ keep: 'envelope' });
    const content = await mkdtemp(join(tmpdir(), 'eb-content-'));
    await cp(fixtureContent, content, { recursive: true });
    // Due while both workers run: each polls the schedule, both see it come due, one creates it.
    const due = new Date(Date.now() + 12_000);
    await writeFile(
      join(content, 'notes', 'coming-due.md'),
      `---\ntitle: A note that comes due\nsummary: Published while two workers watch.\ndate: ${due.toISOString().replace(/\.\d{3}Z$/, '+00:00')}\ntopics: [network-contention]\n---\n\nOnce.\n`,
    );
    const readers = ['one@example.com', 'two@example.com', 'three@example.com'];
    const at = new Date(Date.now() - 3600_000).toISOString();
    await t.db.kysely
      .insertInto('subscribers')
      .values(
        readers.map((email, i) => ({
          key: `key${i}`,
          email,
          email_hmac: `hmac${i}`,
          status: 'active',
          source: 'test',
          created_at: at,
          updated_at: at,
          confirmed_at: at,
        })),
      )
      .execute();
    const env = {
      DATABASE_URL: t.url,
      DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')),
      SECRET: testSecret,
      SMTP_URL: smtp.url,
    };
    const workers = await Promise.all([
      startWorker(['--content', content], env),
      startWorker(['--content', content], env),
    ]);
    try {
      const mails = await smtp.waitForReceived(3, 60_000);
      // Time for a second creation or a second send, had there been one.
      await sleep(6000);
      expect(smtp.received).toHaveLength(3);
      expect(mails.map((m) => m.to).sort()).toEqual([...readers].sort());
      const issues = await t.db.kysely
        .selectFrom('issues')
        .select(['note_slug', 'state'])
        .where('note_slug', '=', 'coming-due')
        .execute();
      expect(issues).toEqual([{ note_slug: 'coming-due', state: 'done' }]);
      const created = workers.map((w) => (w.output().match(/issue created; mailing it/g) ?? []).length);
      expect(created.reduce((a, b) => a + b)).toBe(1);
    } finally {
      await Promise.all(workers.map((w) => stopped(w.child, 'SIGTERM')));
    }
  });
});

describe('stopping on SIGTERM', () => {
  let t: TestDatabase;
  let smtp: SmtpSink;
  let env: Record<string, string>;
  beforeEach(async () => {
    ({ t, smtp, env } = await processSetting('sqlite'));
  });
  afterEach(async () => {
    await smtp.close();
    await t.drop();
  });

  const outboxStatus = async () =>
    (await t.db.kysely.selectFrom('outbox').select('status').executeTakeFirst())?.status;
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });

  /** Subscribes, then waits until the confirmation is handed to the (slow) relay. */
  async function mailInFlight(url: string): Promise<void> {
    const response = await fetch(`${url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'inflight@example.com', form: 'hero' }),
    });
    expect(response.status).toBe(200);
    for (let i = 0; i < 200 && (await outboxStatus()) !== 'sending'; i++) await sleep(50);
    expect(await outboxStatus()).toBe('sending');
  }

  it('answers the request in flight and finishes the mail in flight, then exits', async () => {
    smtp.behave({ stage: 'data', code: 250, delayMs: 3000 });
    const serve = await startServe(['--content', fixtureContent], env);
    await mailInFlight(serve.url);
    // A request whose body is still arriving when the signal comes.
    const body = 'email=late%40example.com&form=hero';
    const { port } = new URL(serve.url);
    const answered = new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/subscribe',
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 1000);
    });
    await sleep(300);
    const signalled = Date.now();
    const exit = exited(serve.child);
    serve.child.kill('SIGTERM');
    // A form post without script is answered by the redirect to the "check your inbox" page.
    expect(await answered).toBe(303);
    expect(await exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(20_000);
    expect(await outboxStatus()).toBe('sent');
    expect(smtp.received.map((r) => r.to)).toContain('inflight@example.com');
    expect(serve.output()).toContain('stopping: finishing the requests and mails in flight');
    expect(serve.output()).toMatch(/"msg":"stopped"/);
  });

  it('exits after SHUTDOWN_SECONDS even when the relay never answers, leaving the mail to be taken over', async () => {
    smtp.behave({ stage: 'data', code: 250, delayMs: 120_000 });
    const serve = await startServe(['--content', fixtureContent], { ...env, SHUTDOWN_SECONDS: '2' });
    await mailInFlight(serve.url);
    const signalled = Date.now();
    const exit = exited(serve.child);
    serve.child.kill('SIGTERM');
    expect(await exit).toBe(1);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(10_000);
    expect(serve.output()).toContain('did not stop in time; exiting anyway');
    // Still leased, not lost: another process sends it once the lease runs out.
    expect(await outboxStatus()).toBe('sending');
  });
});
