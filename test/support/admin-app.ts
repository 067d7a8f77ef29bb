// The whole application with its admin, served on 127.0.0.1 over real HTTP, on a test database, with a
// real SMTP sink as its relay and an admin made by the code `errorbudget admin create` runs.
import { mkdtemp } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import type { AdminDependencies } from '../../src/admin/admin-dependencies.js';
import { createAdmin } from '../../src/admin/admin-store.js';
import type { Clock } from '../../src/clock.js';
import type { Env } from '../../src/config/load-config.js';
import type { TrustProxy } from '../../src/config/trust-proxy.js';
import type { Engine } from '../../src/db/open-database.js';
import { buildApp } from '../../src/server/build-app.js';
import { openServices } from '../../src/server/open-services.js';
import { PreviewSigner } from '../../src/site/preview-link.js';
import { createTestDatabase } from './databases.js';
import { createLiveSite } from './site-app.js';
import { type SinkOptions, startSmtpSink } from './smtp-sink.js';
import { testConfig, testSecret } from './subscription-app.js';

/** Real time, which a test may move ahead (session expiry) without waiting. */
export class MovableClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface AdminAppOptions {
  engine?: Engine;
  env?: Env;
  log?: Logger;
  /** Start the outbox, issue and schedule workers, as `serve` does (default true). */
  workers?: boolean;
  /** The SMTP sink's options (a password it requires, refusals). */
  sink?: SinkOptions;
  /** The admin's password (default: a fixed test password). */
  password?: string;
  /** No SMTP_URL: mail goes to the local mailbox in the data folder, as on a new site. */
  localMailbox?: boolean;
  /** Proxies whose X-Forwarded-* to believe, as TRUST_PROXY says. */
  trustProxy?: TrustProxy;
  /** Make SITE_URL http://localhost:<the port it listens on>: the origin passkeys are bound to. */
  siteOnLocalhost?: boolean;
}

export const testAdmin = { email: 'writer@errorbudget.test', password: 'correct horse battery staple' };

export async function startAdminApp(options: AdminAppOptions = {}) {
  const clock = new MovableClock();
  const database = await createTestDatabase(options.engine ?? 'sqlite');
  const smtp = await startSmtpSink(options.sink ?? {});
  const dataDir = await mkdtemp(join(tmpdir(), 'eb-admin-'));
  const port = options.siteOnLocalhost ? await freePort() : 0;
  const config = testConfig(dataDir, options.localMailbox ? undefined : smtp.url, {
    ...(options.siteOnLocalhost ? { SITE_URL: `http://localhost:${port}` } : {}),
    ...options.env,
  });
  const log = options.log ?? pino({ level: 'silent' });
  const live = await createLiveSite(clock);
  const services = await openServices(config, {
    live,
    log,
    clock,
    db: database.db,
    tuning: { pollMs: 50 },
  });
  if (options.workers !== false) await services.startWorkers();
  const admin = { email: testAdmin.email, password: options.password ?? testAdmin.password };
  await createAdmin(database.db, clock, admin);
  const adminDeps: AdminDependencies = { services, live, config, clock, log };
  const app = await buildApp({
    live,
    log,
    clock,
    subscriptions: services.subscriptions,
    admin: adminDeps,
    // As serve has it: the admin's notes page links drafts to their signed previews.
    preview: new PreviewSigner(testSecret),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
  });
  // No test may see a 500: every answer is watched, and closing the app fails otherwise.
  const serverErrors: string[] = [];
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500) serverErrors.push(`${reply.statusCode} ${request.method} ${request.url}`);
  });
  await app.listen({ host: '127.0.0.1', port });
  // On a loaded machine a test can pause longer than the keep-alive timeout between two requests, and
  // fetch then reuses the socket the server is closing at that moment (ECONNRESET). Test clients keep
  // their idle connections; app.close() ends them.
  app.server.keepAliveTimeout = 0;
  const listening = (app.server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${listening}`,
    /** The same server under the name browsers treat as a secure context (WebAuthn needs one). */
    localhostUrl: `http://localhost:${listening}`,
    port: listening,
    app,
    services,
    db: database.db,
    config,
    live,
    clock,
    smtp,
    admin,
    adminDeps,
    async close() {
      await app.close();
      await services.close();
      await smtp.close();
      await database.drop();
      if (serverErrors.length > 0) throw new Error(`server errors:\n${serverErrors.join('\n')}`);
    },
  };
}

export type AdminApp = Awaited<ReturnType<typeof startAdminApp>>;

/** A port free a moment ago, for a server whose own URL must be known before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface AdminLogin {
  /** The value for a Cookie header: `eb_admin=…`. */
  cookie: string;
  csrfToken: string;
}

/** Cookies a response sets, as name=value pairs. */
export function setCookies(response: Response): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return cookies;
}

/** The value of the form's hidden _csrf field in a page. */
export function csrfFieldOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no _csrf field in the page');
  return match[1];
}

/** The password step of a login over real HTTP: the session cookie and where the login goes next. */
export async function submitPassword(
  baseUrl: string,
  email: string,
  password: string,
  /** Sent with both requests (a proxy's X-Forwarded-For or X-Forwarded-Proto). */
  headers: Record<string, string> = {},
) {
  const page = await fetch(`${baseUrl}/admin/login`, { headers: { accept: 'text/html', ...headers } });
  const loginToken = setCookies(page).get('eb_admin_login') ?? '';
  const csrf = csrfFieldOf(await page.text());
  const response = await fetch(`${baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `eb_admin_login=${loginToken}`,
      ...headers,
    },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  const session = setCookies(response).get('eb_admin');
  return { page, response, cookie: session ? `eb_admin=${session}` : undefined };
}

/** Logs in as the form does and reads the session's CSRF token from a signed-in page. */
export async function adminLogin(baseUrl: string, email: string, password: string): Promise<AdminLogin> {
  const { response, cookie } = await submitPassword(baseUrl, email, password);
  if (response.status !== 303 || !cookie) throw new Error(`login failed with ${response.status}`);
  const settings = await fetch(`${baseUrl}/admin/settings`, {
    redirect: 'manual',
    headers: { accept: 'text/html', cookie },
  });
  if (settings.status !== 200) throw new Error(`login did not give a full session (${settings.status})`);
  return { cookie, csrfToken: csrfFieldOf(await settings.text()) };
}

/** Requests as a signed-in admin: a GET with the session cookie, a form POST with it and a CSRF token. */
export function adminHttp(baseUrl: string, login: AdminLogin) {
  const get = (path: string, accept = 'text/html') =>
    fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: { accept, cookie: login.cookie } });
  const post = (path: string, fields: Record<string, string> = {}, csrf = login.csrfToken) =>
    fetch(`${baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        cookie: login.cookie,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
  return { get, post };
}
