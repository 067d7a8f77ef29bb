// The whole application on a test database: pages, subscriptions, the outbox and a real SMTP sink.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { type Env, loadConfig } from '../../src/config/load-config.js';
import type { Engine } from '../../src/db/open-database.js';
import { buildApp } from '../../src/server/build-app.js';
import { openServices } from '../../src/server/open-services.js';
import type { RateLimits } from '../../src/subscriptions/routes.js';
import { createTestDatabase } from './databases.js';
import { FakeClock } from './fake-clock.js';
import { createLiveSite, siteUrl } from './site-app.js';
import { startSmtpSink } from './smtp-sink.js';

export const testSecret = 'test-secret-that-is-long-enough-0123456789';

/** The configuration every test application runs with: a data folder, the SMTP sink, a fixed secret. */
/** Without an SMTP URL, mail goes to the local mailbox. */
export function testConfig(dataDir: string, smtpUrl: string | undefined, env: Env = {}) {
  return loadConfig(
    {
      SITE_URL: siteUrl,
      DATA_DIR: dataDir,
      ...(smtpUrl ? { SMTP_URL: smtpUrl } : {}),
      SECRET: testSecret,
      MAIL_FROM: 'Test <news@errorbudget.test>',
      ...env,
    },
    {},
    dataDir,
  );
}

export async function startSubscriptionApp(
  engine: Engine,
  options: {
    rateLimits?: RateLimits;
    sink?: 'plain' | 'auth';
    env?: Env;
    log?: Logger;
    /**
     * `before-answer` (the default) decides each subscribe request before its answer is sent, so a test
     * sees the outcome right after the request; `later` leaves it to `decideRequests()` as in production.
     */
    decide?: 'before-answer' | 'later';
  } = {},
) {
  const clock = new FakeClock('2026-11-25T10:00:00Z');
  const database = await createTestDatabase(engine);
  const smtp = await startSmtpSink(options.sink === 'auth' ? { auth: { user: 'news', pass: 'secret' } } : {});
  const dataDir = await mkdtemp(join(tmpdir(), 'eb-data-'));
  const config = testConfig(dataDir, smtp.url, options.env);
  const log = options.log ?? pino({ level: 'silent' });
  const live = await createLiveSite(clock);
  const services = await openServices(config, { live, log, clock, db: database.db });
  const app = await buildApp({
    live,
    log,
    clock,
    subscriptions: services.subscriptions,
    rateLimits: options.rateLimits ?? { subscribePerMinute: 1000, linksPerMinute: 1000 },
    subscribeOrigins: config.subscribeOrigins,
  });
  // No test may see a 500: every answer of every test is watched, and closing the app fails otherwise.
  const serverErrors: string[] = [];
  if (options.decide !== 'later') {
    app.addHook('onSend', async (request, _reply, payload) => {
      if (request.method === 'POST' && request.url === '/subscribe')
        await services.subscriptions.requests.runDue();
      return payload;
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500) serverErrors.push(`${reply.statusCode} ${request.method} ${request.url}`);
  });
  const db = database.db.kysely;
  return {
    app,
    clock,
    smtp,
    services,
    db,
    database,
    dataDir,
    /** Decides the subscribe requests recorded so far, as the request worker would on its next turn. */
    decideRequests: () => services.subscriptions.requests.runDue(),
    /** Decides recorded requests, then sends what is due now, as the workers would on their next turns. */
    async deliver() {
      await services.subscriptions.requests.runDue();
      return services.outbox.deliverDue();
    },
    /** The same services again, as a second process on the same database would have them. */
    openAnotherProcess: () => openServices(config, { live, log, clock, db: database.db }),
    /** Path and query of an absolute link in a mail, for app.inject. */
    path: (link: string) => link.replace(siteUrl, '') || '/',
    async counts() {
      const count = async (table: 'subscribers' | 'ledger_events' | 'outbox' | 'confirmations') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        subscribers: await count('subscribers'),
        ledger: await count('ledger_events'),
        outbox: await count('outbox'),
        confirmations: await count('confirmations'),
      };
    },
    async close() {
      await app.close();
      if (serverErrors.length > 0) throw new Error(`server errors:\n${serverErrors.join('\n')}`);
      await services.close();
      await smtp.close();
      await database.drop();
    },
  };
}

export type SubscriptionApp = Awaited<ReturnType<typeof startSubscriptionApp>>;

export const form = { 'content-type': 'application/x-www-form-urlencoded' };
