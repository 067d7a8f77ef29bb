// Issues end to end on a test database: the fixture content, the real services (outbox, issue sender,
// scheduler) and an in-process SMTP relay that can misbehave. Readers are written straight into the
// table, as a fixture; the subscription flow itself is tested elsewhere.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Clock } from '../../src/clock.js';
import { type Env, loadConfig } from '../../src/config/load-config.js';
import { type Engine, openDatabase } from '../../src/db/open-database.js';
import type { SubscriberStatus } from '../../src/db/schema.js';
import { createIssue, resumeIssue } from '../../src/delivery/issue-store.js';
import { createDueIssues } from '../../src/delivery/schedule-issues.js';
import { issueContentOf } from '../../src/server/issue-content.js';
import { openServices } from '../../src/server/open-services.js';
import { createTestDatabase } from './databases.js';
import { FakeClock } from './fake-clock.js';
import { createLiveSite, siteUrl } from './site-app.js';
import { type SinkOptions, startSmtpSink } from './smtp-sink.js';
import { testSecret } from './subscription-app.js';

export interface DeliveryAppOptions {
  sink?: SinkOptions;
  env?: Env;
  /** The SMTP_URL to use, from the test relay's own (e.g. with a wrong password). */
  relayUrl?: (url: string) => string;
  contentDir?: string;
  /** Default: a fake clock at 2026-11-25 10:00 UTC (before next-week.md, after the other notes). */
  clock?: Clock;
}

export async function startDeliveryApp(engine: Engine, o: DeliveryAppOptions = {}) {
  const clock = o.clock ?? new FakeClock('2026-11-25T10:00:00Z');
  const database = await createTestDatabase(engine);
  const smtp = await startSmtpSink(o.sink);
  const dataDir = await mkdtemp(join(tmpdir(), 'eb-delivery-'));
  const config = loadConfig(
    {
      SITE_URL: siteUrl,
      DATA_DIR: dataDir,
      SMTP_URL: o.relayUrl ? o.relayUrl(smtp.url) : smtp.url,
      SECRET: testSecret,
      MAIL_FROM: 'the error budget <news@errorbudget.test>',
      SMTP_POOL: '3',
      LEASE_SECONDS: '2',
      ...o.env,
    },
    {},
    dataDir,
  );
  const log = pino({ level: 'silent' });
  const live = await createLiveSite(clock, o.contentDir);
  const relayTls = o.sink?.tls ? { ca: o.sink.tls.cert } : undefined;
  const services = await openServices(config, {
    live,
    log,
    clock,
    db: database.db,
    tuning: { pollMs: 50, ...(relayTls ? { relayTls } : {}) },
  });
  const db = database.db.kysely;

  return {
    clock,
    config,
    smtp,
    services,
    db,
    database,
    live,
    /** Adds readers in one statement; active ones confirmed an hour before the clock. */
    async addReaders(readers: { email: string; status: SubscriberStatus }[]) {
      const at = new Date(clock.now().getTime() - 3600_000).toISOString();
      for (let i = 0; i < readers.length; i += 500)
        await db
          .insertInto('subscribers')
          .values(
            readers.slice(i, i + 500).map((r, j) => ({
              key: `k${String(i + j).padStart(21, '0')}`,
              email: r.email,
              email_hmac: `h${r.email}`,
              status: r.status,
              source: 'test',
              created_at: at,
              updated_at: at,
              confirmed_at: r.status === 'pending' ? null : at,
            })),
          )
          .execute();
    },
    /** `count` active readers named reader<n>@example.com, in one statement whatever the count. */
    async addManyReaders(count: number) {
      const at = new Date(clock.now().getTime() - 3600_000).toISOString();
      await sql`
        with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})
        insert into subscribers (key, email, email_hmac, status, source, created_at, updated_at, confirmed_at)
        select 'key' || i, 'reader' || i || '@example.com', 'hmac' || i, 'active', 'test', ${at}, ${at}, ${at} from n
      `.execute(db);
    },
    /** Starts the issue of a published note now, as `send --now` does (also one that waits for a person). */
    async startIssue(slug = 'restore-drills') {
      await createIssue(db, await issueContentOf(live, siteUrl, slug), clock.now());
      const issue = await resumeIssue(db, database.db.engine, slug, clock.now());
      if (!issue.ok) throw new Error(issue.problem);
      return issue.issue;
    },
    /** The same services again, as a second process on the same database would have them. */
    openAnotherProcess: async () => {
      const other = openDatabase(
        database.url.startsWith('sqlite:') ? database.url : (process.env.TEST_POSTGRES_URL ?? ''),
        database.schema ? { schema: database.schema } : {},
      );
      const services = await openServices(config, { live, log, clock, db: other, tuning: { pollMs: 50 } });
      return {
        ...services,
        close: async () => {
          await services.close();
          await other.close();
        },
      };
    },
    /** `settled`: what serve passes, false while its notes still render behind; `stopping`: true once it stops. */
    schedule: (settled?: () => boolean, stopping?: () => boolean) =>
      createDueIssues({
        db: database.db,
        clock,
        log,
        notes: () => live.snapshot.notes,
        render: (slug) => issueContentOf(live, siteUrl, slug),
        ...(settled ? { settled } : {}),
        ...(stopping ? { stopping } : {}),
      }),
    async status(email: string) {
      return (
        await db.selectFrom('subscribers').select('status').where('email', '=', email).executeTakeFirst()
      )?.status;
    },
    /** How many mails each recipient got. */
    deliveries(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const r of smtp.received) counts.set(r.to, (counts.get(r.to) ?? 0) + 1);
      return counts;
    },
    async close() {
      await services.close();
      await smtp.close();
      await database.drop();
    },
  };
}

export type DeliveryApp = Awaited<ReturnType<typeof startDeliveryApp>>;

/** The test-only certificate for 127.0.0.1 and localhost (test/fixtures/tls). */
export const testTls = {
  key: readFileSync(new URL('../fixtures/tls/localhost-key.pem', import.meta.url)),
  cert: readFileSync(new URL('../fixtures/tls/localhost-cert.pem', import.meta.url)),
};
