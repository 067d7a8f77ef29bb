// The nginx recipe for real: Debian's nginx with the shipped site (deploy/nginx/errorbudget.conf) in
// front of two `serve --no-worker` processes and one `worker` on PostgreSQL. Pages and subscribing go
// through TLS; per-client rate limits and X-Forwarded-For hold through the proxy; 200 addresses
// subscribe while one web process is killed with SIGKILL and restarted, and every answered one gets
// exactly one confirmation; a note scheduled meanwhile is published and mailed once.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import {
  freePort,
  httpsRequest,
  type Nginx,
  nginxBinary,
  selfSignedCert,
  startNginx,
} from './support/proxy-stack.js';
import { type ServeProcess, startProcess, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { testSecret } from './support/subscription-app.js';

const canRun = existsSync(nginxBinary) && process.env.TEST_POSTGRES_URL !== undefined;
if (!canRun) {
  if (process.env.CI === 'true') throw new Error('CI=true but nginx or TEST_POSTGRES_URL is missing');
  console.warn('notice: the nginx recipe test needs /usr/sbin/nginx and TEST_POSTGRES_URL; skipped');
}

const rateLimit = 40;
const scheduledSlug = 'published-while-proxied';
const activeReaders = ['ada@example.com', 'grace@example.com', 'edsger@example.com'];

describe.skipIf(!canRun)('the nginx recipe in front of two web processes and a worker on PostgreSQL', () => {
  let dir: string;
  let database: TestDatabase;
  let sink: SmtpSink;
  let nginx: Nginx;
  let ca: Buffer;
  let httpsPort: number;
  let httpPort: number;
  let env: Record<string, string>;
  const webs: ServeProcess[] = [];
  let webPorts: number[];
  let worker: ServeProcess;
  let publishAt: Date;

  const web = async (port: number) =>
    startProcess(
      ['serve', '--no-worker', '--no-watch', '--port', String(port)],
      { ...env, PORT: String(port), DATA_DIR: join(dir, `data-${port}`) },
      /serving .+? at http/,
    );
  const get = (path: string, o: Parameters<typeof httpsRequest>[3] = {}) =>
    httpsRequest(httpsPort, ca, path, o);
  const subscribe = (email: string, from: string, headers: Record<string, string> = {}) =>
    get('/subscribe', {
      method: 'POST',
      from,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ email, form: 'newsletter' }),
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-nginx-'));
    database = await createTestDatabase('postgres');
    const at = new Date(Date.now() - 3600_000).toISOString();
    for (const [i, email] of activeReaders.entries())
      await database.db.kysely
        .insertInto('subscribers')
        .values({
          key: `proxyreader${i}`,
          email,
          email_hmac: `hproxy${i}`,
          status: 'active',
          source: 'test',
          created_at: at,
          updated_at: at,
          confirmed_at: at,
        })
        .execute();
    sink = await startSmtpSink();
    const content = join(dir, 'content');
    await cp(fixtureContent, content, { recursive: true });
    // Due in a minute: published and mailed while the test runs, by whichever process claims it.
    publishAt = new Date(Math.ceil((Date.now() + 60_000) / 1000) * 1000);
    await writeFile(
      join(content, 'notes', `${scheduledSlug}.md`),
      `---\ntitle: Published while proxied\nsummary: A note that goes out once, whatever the number of processes.\ndate: ${publishAt.toISOString().replace('.000Z', '+00:00')}\ntopics: [backup-recovery]\n---\n\nThe body.\n`,
    );
    const cert = selfSignedCert(dir);
    ca = readFileSync(cert.cert);
    [httpsPort, httpPort] = [await freePort(), await freePort()];
    webPorts = [await freePort(), await freePort()];
    env = {
      DATABASE_URL: database.url,
      SECRET: testSecret,
      CONTENT_DIR: content,
      SITE_URL: `https://localhost:${httpsPort}`,
      SMTP_URL: sink.url,
      TRUST_PROXY: '127.0.0.1',
      SUBSCRIBE_RATE_LIMIT: String(rateLimit),
      LEASE_SECONDS: '3',
    };
    webs.push(await web(webPorts[0] as number), await web(webPorts[1] as number));
    worker = await startProcess(
      ['worker', '--no-watch'],
      { ...env, DATA_DIR: join(dir, 'data-worker') },
      /worker running/,
    );
    nginx = await startNginx({ dir: join(dir, 'nginx'), upstreams: webPorts, httpsPort, httpPort, cert });
  }, 120_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const p of [...webs, worker]) if (p) await stopped(p.child, 'SIGTERM');
    await sink?.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves pages over TLS with the site headers and HSTS, and sends plain HTTP to HTTPS', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(home.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(home.headers['set-cookie']).toBeUndefined();
    expect(home.body).toContain(`<link rel="canonical" href="https://localhost:${httpsPort}/"`);
    // Pages are brotli-compressed behind, on a thread, once the server answers: gzip until then.
    let note = await get('/notes/restore-drills', { headers: { 'accept-encoding': 'br' } });
    for (let tries = 0; note.headers['content-encoding'] !== 'br' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      note = await get('/notes/restore-drills', { headers: { 'accept-encoding': 'br' } });
    }
    expect([note.status, note.headers['content-encoding']]).toEqual([200, 'br']);
    const revalidated = await get('/notes/restore-drills', {
      headers: { 'if-none-match': String(note.headers.etag) },
    });
    expect(revalidated.status).toBe(304);
    const { request } = await import('node:http');
    const redirect = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) =>
      request(
        { host: '127.0.0.1', port: httpPort, path: '/notes/restore-drills', headers: { host: 'localhost' } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        },
      )
        .on('error', reject)
        .end(),
    );
    expect(redirect).toEqual({ status: 301, location: 'https://localhost/notes/restore-drills' });
    expect((await get('/metrics')).status).toBe(404);
  });

  it('limits each client by its own address behind the proxy, and a forged X-Forwarded-For changes nothing', async () => {
    const email = `limited-${randomBytes(3).toString('hex')}@example.com`;
    // Each process counts its own clients, and nginx spreads requests over both.
    const statuses: number[] = [];
    for (let i = 0; i < 2 * rateLimit + 2 && !statuses.includes(429); i++)
      statuses.push((await subscribe(email, '127.0.0.2')).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(rateLimit);
    for (let i = 0; i < 3; i++) {
      const forged = await subscribe(email, '127.0.0.2', { 'x-forwarded-for': `198.51.100.${i + 1}` });
      expect(forged.status).toBe(429);
    }
    expect((await subscribe(`other-${randomBytes(3).toString('hex')}@example.com`, '127.0.0.3')).status).toBe(
      200,
    );
  });

  it('records the client address nginx saw, not the one a client wrote, in the consent proof', async () => {
    const email = `proof-${randomBytes(3).toString('hex')}@example.com`;
    expect((await subscribe(email, '127.0.0.4', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
    await waitFor(async () => (await proofsOf(email)).length > 0, 30_000, 'the request to be decided');
    const proofs = await proofsOf(email);
    expect(proofs.map((p) => p.ip)).toEqual(['127.0.0.4']);
  });

  async function proofsOf(email: string): Promise<{ ip: string }[]> {
    const rows = await sql<{
      proof: string;
    }>`select c.proof from confirmations c join subscribers s on s.id = c.subscriber_id where s.email = ${email}`.execute(
      database.db.kysely,
    );
    return rows.rows.map((r) => JSON.parse(r.proof) as { ip: string });
  }

  it('answers 200 subscribes while a web process is killed and restarted, each answered one confirmed once by mail, and publishes the due note once', async () => {
    const emails = Array.from(
      { length: 200 },
      (_, i) => `crowd${i}-${randomBytes(3).toString('hex')}@example.com`,
    );
    const answered: string[] = [];
    let failed = 0;
    let next = 0;
    let killed: Promise<void> | undefined;
    const lane = async (laneNo: number) => {
      while (next < emails.length) {
        const email = emails[next++] as string;
        const answer = await subscribe(email, `127.0.1.${laneNo + 1}`).catch(() => undefined);
        if (answer?.status === 200) answered.push(email);
        else failed += 1;
        if (answered.length === 60 && !killed) killed = killAndRestart(0);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => lane(i)));
    await killed;
    console.log(
      `nginx recipe: ${answered.length} of ${emails.length} subscribes answered while a web process was killed and restarted (${failed} not answered)`,
    );
    expect(answered.length).toBeGreaterThanOrEqual(150);

    await waitFor(
      () => answered.every((e) => mailsTo(e) >= 1),
      90_000,
      'a confirmation for every answered subscribe',
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(answered.filter((e) => mailsTo(e) !== 1)).toEqual([]);
    for (const e of answered)
      expect(confirmationTo(e)?.text).toContain(`https://localhost:${httpsPort}/confirm/`);

    // The scheduled note: on the site from its time, and one issue mailed once to each reader.
    const wait = publishAt.getTime() - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await waitFor(
      () => activeReaders.every((r) => issueMailsTo(r) >= 1),
      60_000,
      'the issue of the scheduled note',
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(activeReaders.map(issueMailsTo)).toEqual(activeReaders.map(() => 1));
    const issues = await database.db.kysely
      .selectFrom('issues')
      .select(['note_slug', 'state'])
      .where('note_slug', '=', scheduledSlug)
      .execute();
    expect(issues).toEqual([{ note_slug: scheduledSlug, state: 'done' }]);
    await waitFor(async () => (await get(`/notes/${scheduledSlug}`)).status === 200, 15_000, 'the note page');
    for (let i = 0; i < 4; i++) expect((await get(`/notes/${scheduledSlug}`)).status).toBe(200);
  }, 300_000);

  async function killAndRestart(index: number): Promise<void> {
    const victim = webs[index] as ServeProcess;
    await stopped(victim.child, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    webs[index] = await web(webPorts[index] as number);
  }

  const mailsTo = (email: string) =>
    sink.messages.filter((m) => recipient(m) === email && /^Confirm your subscription/.test(m.subject ?? ''))
      .length;
  const confirmationTo = (email: string) => sink.messages.find((m) => recipient(m) === email);
  const issueMailsTo = (email: string) =>
    sink.messages.filter((m) => recipient(m) === email && m.subject === 'Published while proxied').length;
});

function recipient(mail: { to?: unknown }): string {
  const to = mail.to as { value?: { address?: string }[] } | undefined;
  return to?.value?.[0]?.address ?? '';
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
