import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { migrate } from '../src/db/migrations.js';
import { type Db, openDatabase } from '../src/db/open-database.js';
import { type ErrorBudget, errorBudgets } from '../src/observability/error-budget.js';
import { Metrics } from '../src/observability/metrics.js';
import { startMetricsServer } from '../src/observability/metrics-server.js';
import { buildApp } from '../src/server/build-app.js';
import { openServices } from '../src/server/open-services.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app.js';
import { FakeClock } from './support/fake-clock.js';
import { createLiveSite, siteUrl } from './support/site-app.js';
import { form, type SubscriptionApp, startSubscriptionApp, testSecret } from './support/subscription-app.js';

const targets = { availability: 99.9, confirmation: 99, delivery: 99 };

async function budget(db: Db, slo: ErrorBudget['slo'], now: Date): Promise<ErrorBudget> {
  const found = (await errorBudgets({ db, targets, now })).find((b) => b.slo === slo);
  if (!found) throw new Error(`no ${slo} budget`);
  return found;
}

/** A database handle of its own on the same database, as another process would open it. */
function sameDatabase(t: TestDatabase): Db {
  return openDatabase(
    t.url.startsWith('sqlite:') ? t.url : (process.env.TEST_POSTGRES_URL ?? ''),
    t.schema ? { schema: t.schema } : {},
  );
}

/** One `serve` process in all but the process: its own database handle, services and HTTP server. */
async function startWeb(t: TestDatabase, clock: FakeClock, metrics?: Metrics) {
  const db = sameDatabase(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'eb-budget-'));
  const config = loadConfig({ SITE_URL: siteUrl, DATA_DIR: dataDir, SECRET: testSecret }, {}, dataDir);
  const log = pino({ level: 'silent' });
  const live = await createLiveSite(clock);
  const services = await openServices(config, { live, log, clock, db, ...(metrics ? { metrics } : {}) });
  const app = await buildApp({
    live,
    log,
    clock,
    requestTally: services.availability.tally,
    operator: { metrics, readiness: () => services.readiness(), token: undefined },
  });
  // A route that fails as a bug would: the error handler answers 500.
  app.get('/broken', async () => {
    throw new Error('a bug');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    services,
    get: async (path: string) => (await fetch(`${url}${path}`)).status,
    /** As `serve` stops: requests first, then the services (which write the last counts). */
    async stop() {
      await app.close();
      await services.close();
      await db.close();
    },
  };
}

describe.each(engines)('the error budget on %s', (engine) => {
  let t: TestDatabase | undefined;
  let delivery: DeliveryApp | undefined;
  let subscription: SubscriptionApp | undefined;
  afterEach(async () => {
    await t?.drop();
    await delivery?.close();
    await subscription?.close();
    [t, delivery, subscription] = [undefined, undefined, undefined];
  });

  it('adds up the requests of two web processes, and keeps them across a restart', async () => {
    t = await createTestDatabase(engine);
    const clock = new FakeClock('2026-11-25T10:00:30Z');
    const [a, b] = [await startWeb(t, clock), await startWeb(t, clock)];
    // Pages from memory, a page that does not exist and a server error on one; pages on the other.
    expect([await a.get('/'), await a.get('/notes/restore-drills'), await a.get('/no-such-page')]).toEqual([
      200, 200, 404,
    ]);
    expect(await a.get('/broken')).toBe(500);
    expect([await b.get('/'), await b.get('/notes')]).toEqual([200, 200]);
    // Health checks for load balancers are not answers to readers.
    expect(await b.get('/readyz')).toBe(200);
    await a.stop();
    await b.stop();

    const after = await budget(t.db, 'availability', clock.now());
    expect([after.good, after.total]).toEqual([5, 6]);
    expect(after.target).toBe(0.999);
    // One error in six against a budget of one in a thousand: 1 - (1/6)/0.001.
    expect(after.remaining).toBeCloseTo(1 - 1 / 6 / 0.001, 6);
    expect(after.burnRate).toBeCloseTo(1 / 6 / 0.001, 6);

    // Restarted a minute later: its counts go into the same table, and the earlier ones are still there.
    clock.advance(60_000);
    const restarted = await startWeb(t, clock);
    expect(await restarted.get('/')).toBe(200);
    await restarted.services.availability.flush();
    expect(await budget(t.db, 'availability', clock.now())).toMatchObject({ good: 6, total: 7 });
    await restarted.stop();

    // The hour's burn forgets them after an hour; the 28-day budget after 28 days.
    clock.advance(2 * 3600_000);
    expect(await budget(t.db, 'availability', clock.now())).toMatchObject({ total: 7, burnRate: 0 });
    clock.advance(28 * 86_400_000);
    expect(await budget(t.db, 'availability', clock.now())).toMatchObject({
      good: 0,
      total: 0,
      remaining: 1,
      burnRate: 0,
    });
  });

  it('judges a confirmation mail from the subscribe request, not from when the mail was queued', async () => {
    subscription = await startSubscriptionApp(engine, { decide: 'later' });
    const s = subscription;
    const clock = s.clock;
    const subscribe = (email: string) =>
      s.app.inject({ method: 'POST', url: '/subscribe', headers: form, payload: `email=${email}` });
    const start = clock.now().getTime();
    const at = (seconds: number) => clock.set(new Date(start + seconds * 1000));

    // Asked, decided and sent at once: good.
    await subscribe('quick@example.com');
    await s.deliver();
    // Asked at 0 s, decided at 40 s, sent at 95 s: 55 s in the outbox but 95 s after the request.
    await subscribe('slow@example.com');
    at(40);
    await s.decideRequests();
    at(95);
    await s.deliver();
    // Asked at 95 s and never sent.
    await subscribe('stuck@example.com');
    await s.decideRequests();
    expect(s.smtp.received.map((r) => r.to).sort()).toEqual(['quick@example.com', 'slow@example.com']);

    // At 150 s the stuck mail is 55 s old: not judged yet.
    at(150);
    expect(await budget(s.database.db, 'confirmation', clock.now())).toMatchObject({ good: 1, total: 2 });
    at(200);
    const judged = await budget(s.database.db, 'confirmation', clock.now());
    expect(judged).toMatchObject({ good: 1, total: 3, target: 0.99 });
    expect(judged.remaining).toBeCloseTo(1 - 2 / 3 / 0.01, 6);
    expect(judged.burnRate).toBeCloseTo(2 / 3 / 0.01, 6);
  });

  it('counts readers accepted within an hour of publishing, leaving out hard bounces', async () => {
    // restore-drills is published at 09:00; the scheduler sees it at 09:10.
    delivery = await startDeliveryApp(engine, {
      env: { SMTP_POOL: '1' },
      clock: new FakeClock('2026-11-13T09:10:00Z'),
    });
    const d = delivery;
    const clock = d.clock as FakeClock;
    await d.addReaders(
      ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((n) => ({ email: `${n}@example.com`, status: 'active' })),
    );
    d.smtp.behave(
      { stage: 'rcpt', code: 550, text: '5.1.1 no such user', when: (to) => to === 'r2@example.com' },
      { stage: 'rcpt', code: 451, text: '4.7.1 try later', count: 1, when: (to) => to === 'r3@example.com' },
    );
    expect((await d.schedule()).started).toEqual(['restore-drills']);
    await d.services.issues.sendAll();
    expect(d.deliveries().size).toBe(4);

    // Before 10:00 the issue is not judged yet, however it is going.
    clock.set('2026-11-13T09:59:00Z');
    expect(await budget(d.database.db, 'delivery', clock.now())).toMatchObject({ good: 0, total: 0 });

    // The reader refused for the moment gets the issue at 10:20, twenty minutes late.
    clock.set('2026-11-13T10:20:00Z');
    d.smtp.behave();
    await d.services.issues.sendAll();
    expect(d.deliveries().get('r3@example.com')).toBe(1);
    const judged = await budget(d.database.db, 'delivery', clock.now());
    // r2's address does not exist: the platform is not to blame for it.
    expect(judged).toMatchObject({ good: 4, total: 5, target: 0.99 });
    expect(judged.remaining).toBeCloseTo(1 - 1 / 5 / 0.01, 6);
    expect(judged.burnRate).toBeCloseTo(1 / 5 / 0.01, 6);
    clock.set('2026-11-13T11:30:00Z');
    expect(await budget(d.database.db, 'delivery', clock.now())).toMatchObject({ total: 5, burnRate: 0 });
  });

  it('counts the readers an issue had not reached by its deadline as late', async () => {
    delivery = await startDeliveryApp(engine, { clock: new FakeClock('2026-11-13T09:10:00Z') });
    const d = delivery;
    const clock = d.clock as FakeClock;
    await d.addReaders(['a', 'b', 'c'].map((n) => ({ email: `${n}@example.com`, status: 'active' })));
    await d.schedule();
    clock.set('2026-11-13T10:30:00Z');
    expect(await budget(d.database.db, 'delivery', clock.now())).toMatchObject({ good: 0, total: 3 });
    // Sending them now does not make them on time.
    await d.services.issues.sendAll();
    expect(d.deliveries().size).toBe(3);
    expect(await budget(d.database.db, 'delivery', clock.now())).toMatchObject({ good: 0, total: 3 });
  });

  it('shows each budget at /metrics, read from the database when scraped', async () => {
    t = await createTestDatabase(engine);
    const clock = new FakeClock('2026-11-25T10:00:30Z');
    const metrics = new Metrics();
    const web = await startWeb(t, clock, metrics);
    const listener = await startMetricsServer(
      { metrics, readiness: () => web.services.readiness(), token: undefined },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      for (let i = 0; i < 3; i += 1) expect(await web.get('/')).toBe(200);
      expect(await web.get('/broken')).toBe(500);
      await web.services.availability.flush();
      const text = await (await fetch(`${listener.url}/metrics`)).text();
      const value = (series: string) => {
        const line = text.split('\n').find((l) => l.startsWith(`${series} `));
        return line === undefined ? undefined : Number(line.slice(series.length + 1));
      };
      expect(value('errorbudget_slo_target{slo="availability"}')).toBe(0.999);
      expect(value('errorbudget_slo_target{slo="confirmation"}')).toBe(0.99);
      expect(value('errorbudget_slo_target{slo="delivery"}')).toBe(0.99);
      expect(value('errorbudget_error_budget_remaining{slo="availability"}')).toBeCloseTo(
        1 - 0.25 / 0.001,
        6,
      );
      expect(value('errorbudget_error_budget_burn_rate{slo="availability",window="1h"}')).toBeCloseTo(
        0.25 / 0.001,
        6,
      );
      expect(value('errorbudget_slo_events{slo="availability"}')).toBe(4);
      expect(value('errorbudget_slo_good_events{slo="availability"}')).toBe(3);
      // Nothing to judge: an untouched budget, not an alarming zero.
      expect(value('errorbudget_error_budget_remaining{slo="delivery"}')).toBe(1);
      expect(value('errorbudget_error_budget_burn_rate{slo="delivery",window="1h"}')).toBe(0);
      expect(text).toContain('# TYPE errorbudget_error_budget_remaining gauge');
    } finally {
      await listener.close();
      await web.stop();
    }
  });

  it('upgrades a database with history: finished batches count on time only when they finished in time', async () => {
    t = await createTestDatabase(engine);
    const k = t.db.kysely;
    // The schema as it was before 2026-11-27-04, with an issue sent in time and one sent late.
    await sql`drop table request_minutes`.execute(k);
    await sql`drop index outbox_kind_requested`.execute(k);
    await sql`alter table outbox drop column requested_at`.execute(k);
    await sql`alter table issue_batches drop column sent_on_time`.execute(k);
    await sql`delete from kysely_migration where name = '2026-11-27-04-error-budget'`.execute(k);
    for (const [slug, finished] of [
      ['in-time', '2026-11-13T09:40:00.000Z'],
      ['late', '2026-11-13T10:20:00.000Z'],
    ] as const) {
      const at = '2026-11-13T09:00:00.000Z';
      const { rows } = await sql<{ id: number }>`insert into issues
        (note_slug, subject, summary, note_url, html, text, state, published_at, created_at, snapshot_at,
         snapshot_max_subscriber_id, recipients, finished_at)
        values (${slug}, 's', 's', 'https://errorbudget.test', '', '', 'done', ${at}, ${at}, ${at}, 10, 10, ${finished})
        returning id`.execute(k);
      await sql`insert into issue_batches (issue_id, first_subscriber_id, last_subscriber_id, acked_through, sent, state, checkpoint_at)
        values (${Number(rows[0]?.id)}, 1, 10, 10, 10, 'done', ${finished})`.execute(k);
    }
    await sql`insert into outbox (kind, recipient, subject, html, text, headers, message_id, status, attempts, created_at, next_attempt_at)
      values ('confirmation', 'a@example.com', 's', '', '', '{}', '<1@errorbudget.test>', 'queued', 0, '2026-11-13T09:00:00.000Z', '2026-11-13T09:00:00.000Z')`.execute(
      k,
    );

    expect((await migrate(t.db)).applied).toEqual(['2026-11-27-04-error-budget']);
    const batches = await k
      .selectFrom('issue_batches')
      .innerJoin('issues', 'issues.id', 'issue_batches.issue_id')
      .select(['issues.note_slug', 'issue_batches.sent_on_time'])
      .orderBy('issues.note_slug')
      .execute();
    expect(batches).toEqual([
      { note_slug: 'in-time', sent_on_time: 10 },
      { note_slug: 'late', sent_on_time: 0 },
    ]);
    expect(await k.selectFrom('outbox').select('requested_at').execute()).toEqual([
      { requested_at: '2026-11-13T09:00:00.000Z' },
    ]);
    expect(await budget(t.db, 'delivery', new Date('2026-11-13T10:30:00Z'))).toMatchObject({
      good: 10,
      total: 20,
    });
  });
});
