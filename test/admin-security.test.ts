// The admin's locks, tried from outside over real HTTP: every route refuses a visitor without a
// session, every state change needs the CSRF token, guessing passwords is stopped, sessions die at
// logout and with time, and nothing the admin answers may be cached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionLifetimes } from '../src/admin/sessions.js';
import { verifyLedger } from '../src/ledger/ledger.js';
import { type AdminApp, adminLogin, setCookies, startAdminApp, submitPassword } from './support/admin-app.js';
import { engines } from './support/databases.js';

/** Every route of the app, with its methods, read from Fastify's own route tree. */
function registeredRoutes(app: AdminApp['app']): { path: string; methods: string[] }[] {
  const routes: { path: string; methods: string[] }[] = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (parents[depth - 1] ?? '') + (match[2] ?? '');
    parents[depth] = path;
    parents.length = depth + 1;
    if (match[3]) routes.push({ path, methods: match[3].split(', ') });
  }
  return routes;
}

const open = new Set(['GET /admin/login', 'POST /admin/login', 'GET /admin/assets/:file']);

/** Paths the other admin pages will have, refused alike whether their page exists yet or not. */
const representative = [
  '/admin',
  '/admin/',
  '/admin/subscribers',
  '/admin/subscribers?q=a',
  '/admin/subscribers/1',
  '/admin/subscribers/export.csv',
  '/admin/subscribers/import',
  '/admin/notes',
  '/admin/notes/some-note/preview',
  '/admin/issues',
  '/admin/issues/1',
  '/admin/issues/1/events',
  '/admin/mailbox',
  '/admin/ledger',
  '/admin/settings',
  '/admin/settings/security',
  '/admin/no-such-page',
];

describe.each(engines)('admin security on %s', (engine) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp({ engine, workers: false, trustProxy: ['127.0.0.1'] });
  });
  afterAll(() => app?.close());

  const request = (
    path: string,
    init: {
      method?: string;
      cookie?: string;
      accept?: string;
      body?: string;
      headers?: Record<string, string>;
    } = {},
  ) =>
    fetch(`${app.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        accept: init.accept ?? 'text/html',
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });

  it('refuses every registered /admin route to a visitor without a session', async () => {
    const routes = registeredRoutes(app.app).filter((r) => r.path.startsWith('/admin'));
    expect(routes.length).toBeGreaterThan(10);
    const checked: string[] = [];
    for (const route of routes) {
      for (const method of route.methods.filter((m) => m !== 'HEAD')) {
        if (open.has(`${method} ${route.path}`)) continue;
        const path = route.path.replace(/:[A-Za-z]+/g, '1');
        const body = method === 'GET' ? undefined : '';
        const page = await request(path, { method, ...(body !== undefined ? { body } : {}) });
        expect([`${method} ${path}`, page.status, page.headers.get('location')]).toEqual([
          `${method} ${path}`,
          303,
          '/admin/login',
        ]);
        const api = await request(path, {
          method,
          accept: 'application/json',
          ...(body !== undefined ? { body } : {}),
        });
        expect([`${method} ${path}`, api.status]).toEqual([`${method} ${path}`, 401]);
        checked.push(`${method} ${path}`);
      }
    }
    expect(checked).toContain('POST /admin/logout');
    expect(checked).toContain('GET /admin/settings');
  });

  it('refuses the pages every admin section will have, and an event stream, without a session', async () => {
    for (const path of representative) {
      const page = await request(path);
      expect([path, page.status, page.headers.get('location')]).toEqual([path, 303, '/admin/login']);
      const stream = await request(path, { accept: 'text/event-stream' });
      expect([path, stream.status]).toEqual([path, 401]);
    }
  });

  it('refuses a bad or stolen-looking cookie like none at all', async () => {
    for (const cookie of ['eb_admin=', 'eb_admin=forged', `eb_admin=${'A'.repeat(43)}`]) {
      expect((await request('/admin/settings', { cookie })).status).toBe(303);
    }
  });

  it("refuses a state change without the session's CSRF token, in a form, multipart or header", async () => {
    const { cookie, csrfToken } = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    const other = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    const path = '/admin/settings/test-relay';
    expect((await request(path, { method: 'POST', cookie, body: '' })).status).toBe(403);
    expect((await request(path, { method: 'POST', cookie, body: `_csrf=${other.csrfToken}` })).status).toBe(
      403,
    );
    expect(
      (await request(path, { method: 'POST', cookie, headers: { 'x-csrf-token': 'nope' } })).status,
    ).toBe(403);
    const withoutToken = new FormData();
    withoutToken.append('file', new Blob(['email\na@example.com\n']), 'list.csv');
    const multipart = await fetch(`${app.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, accept: 'text/html' },
      body: withoutToken,
    });
    expect(multipart.status).toBe(403);
    expect(await multipart.text()).toContain('Form expired');

    // The same requests with the token pass the gate.
    expect((await request(path, { method: 'POST', cookie, body: `_csrf=${csrfToken}` })).status).toBe(200);
    expect(
      (await request(path, { method: 'POST', cookie, headers: { 'x-csrf-token': csrfToken } })).status,
    ).toBe(200);
    const withToken = new FormData();
    withToken.append('_csrf', csrfToken);
    withToken.append('file', new Blob(['email\na@example.com\n']), 'list.csv');
    const accepted = await fetch(`${app.baseUrl}${path}`, {
      method: 'POST',
      headers: { cookie },
      body: withToken,
    });
    expect(accepted.status).toBe(200);
  });

  it('refuses a login form posted without its own token (another site signing you in)', async () => {
    const response = await request('/admin/login', {
      method: 'POST',
      body: new URLSearchParams({ email: app.admin.email, password: app.admin.password }).toString(),
    });
    expect(response.status).toBe(403);
    expect(setCookies(response).has('eb_admin')).toBe(false);
  });

  it('locks an account after five wrong passwords, with a message, even against the right one', async () => {
    for (let i = 0; i < 5; i += 1) {
      const { response } = await submitPassword(app.baseUrl, app.admin.email, `wrong password ${i}!`);
      expect(response.status).toBe(401);
    }
    const { response, cookie } = await submitPassword(app.baseUrl, app.admin.email, app.admin.password);
    expect(response.status).toBe(429);
    expect(cookie).toBeUndefined();
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await response.text()).toContain('Too many failed logins');
    app.clock.advance(15 * 60 * 1000 + 1000);
    const later = await submitPassword(app.baseUrl, app.admin.email, app.admin.password);
    expect(later.response.status).toBe(303);
    const events = await app.db.kysely
      .selectFrom('ledger_events')
      .select('detail')
      .where('kind', '=', 'admin_action')
      .execute();
    const actions = events.map((e) => JSON.parse(e.detail) as { admin: string; action: string });
    expect(actions.filter((a) => a.action === 'login failed' && a.admin === app.admin.email)).toHaveLength(5);
    expect(await verifyLedger(app.db.kysely)).toMatchObject({ ok: true });
    app.clock.advance(15 * 60 * 1000 + 1000);
  });

  it('stops one address after ten wrong logins, whichever accounts it tries', async () => {
    for (let i = 0; i < 10; i += 1) {
      const { response } = await submitPassword(app.baseUrl, `nobody${i}@example.com`, 'wrong password here');
      expect(response.status).toBe(401);
    }
    const { response } = await submitPassword(app.baseUrl, app.admin.email, app.admin.password);
    expect(response.status).toBe(429);
    // Another address (behind the trusted proxy) is not held up by this one.
    const login = await submitPassword(app.baseUrl, app.admin.email, app.admin.password, {
      'x-forwarded-for': '203.0.113.9',
    });
    expect(login.response.status).toBe(303);
    app.clock.advance(15 * 60 * 1000 + 1000);
  });

  it('ends a session after an hour idle, and after twelve hours however busy', async () => {
    const idle = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    app.clock.advance(sessionLifetimes.idleMs - 60_000);
    expect((await request('/admin/settings', { cookie: idle.cookie })).status).toBe(200);
    app.clock.advance(sessionLifetimes.idleMs + 1000);
    expect((await request('/admin/settings', { cookie: idle.cookie })).status).toBe(303);

    const busy = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    for (let hours = 0; hours < 11; hours += 1) {
      app.clock.advance(55 * 60 * 1000);
      expect((await request('/admin/settings', { cookie: busy.cookie })).status).toBe(200);
    }
    app.clock.advance(sessionLifetimes.absoluteMs - 11 * 55 * 60 * 1000 + 1000);
    expect((await request('/admin/settings', { cookie: busy.cookie })).status).toBe(303);

    // The next login clears the rows of sessions that ran out.
    await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    const now = app.clock.now();
    const stale = await app.db.kysely
      .selectFrom('admin_sessions')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', now.toISOString()),
          eb('last_seen_at', '<=', new Date(now.getTime() - sessionLifetimes.idleMs).toISOString()),
        ]),
      )
      .execute();
    expect(stale).toEqual([]);
  });

  it('kills the cookie and the CSRF token of a logged-out session', async () => {
    const { cookie, csrfToken } = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    const out = await request('/admin/logout', { method: 'POST', cookie, body: `_csrf=${csrfToken}` });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().join()).toMatch(/eb_admin=;.*Max-Age=0/);
    expect((await request('/admin/settings', { cookie })).status).toBe(303);
    expect((await request('/admin/settings', { cookie, accept: 'application/json' })).status).toBe(401);
    const again = await request('/admin/settings/test-relay', {
      method: 'POST',
      cookie,
      body: `_csrf=${csrfToken}`,
    });
    expect(again.status).toBe(303);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, for /admin only, and Secure over https', async () => {
    const { response } = await submitPassword(app.baseUrl, app.admin.email, app.admin.password);
    const plain = response.headers.getSetCookie().find((c) => c.startsWith('eb_admin='));
    expect(plain).toMatch(/HttpOnly/);
    expect(plain).toMatch(/SameSite=Strict/);
    expect(plain).toMatch(/Path=\/admin/);
    expect(plain).not.toMatch(/Secure/);
    const https = await submitPassword(app.baseUrl, app.admin.email, app.admin.password, {
      'x-forwarded-proto': 'https',
    });
    expect(https.page.headers.getSetCookie().join()).toMatch(/Secure/);
    expect(https.response.status).toBe(303);
    expect(https.response.headers.getSetCookie().find((c) => c.startsWith('eb_admin='))).toMatch(/; Secure/);
  });

  it('marks every admin answer uncacheable and not for search engines', async () => {
    const { cookie, csrfToken } = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    const answers = [
      await request('/admin/login'),
      await request('/admin/settings'),
      await request('/admin/settings', { accept: 'application/json' }),
      await request('/admin/settings', { cookie }),
      await request('/admin/settings/security', { cookie }),
      await request('/admin', { cookie }),
      await request('/admin/no-such-page', { cookie }),
      await request('/admin/settings/test-relay', { method: 'POST', cookie, body: '' }),
      await request('/admin/settings/test-relay', { method: 'POST', cookie, body: `_csrf=${csrfToken}` }),
    ];
    for (const answer of answers) {
      expect([answer.url, answer.status, answer.headers.get('cache-control')]).toEqual([
        answer.url,
        answer.status,
        'no-store',
      ]);
      expect(answer.headers.get('x-robots-tag')).toContain('noindex');
      expect(answer.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const html = await (await request('/admin/settings', { cookie })).text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow"');
  });
});
