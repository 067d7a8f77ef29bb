// The Settings page: the effective configuration with every secret masked, and the relay test, which
// talks to a real SMTP server and says plainly whether it could connect, greet and log in.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminApp, type AdminLogin, adminLogin, startAdminApp } from './support/admin-app.js';
import { htmlProblems } from './support/html-validator.js';

const relayPassword = 'relay-password-do-not-show';
const metricsToken = 'metrics-token-that-must-stay-hidden-0123456789';
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

describe('the Settings page', () => {
  let app: AdminApp;
  let login: AdminLogin;
  beforeAll(async () => {
    app = await startAdminApp({
      workers: false,
      sink: { auth: { user: 'news', pass: relayPassword } },
      env: {
        METRICS_TOKEN: metricsToken,
        DKIM_PRIVATE_KEY: dkimKey,
        DKIM_SELECTOR: 'mail2026',
        DKIM_DOMAIN: 'errorbudget.test',
      },
    });
    login = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
  });
  afterAll(() => app?.close());

  const settings = async () =>
    (await fetch(`${app.baseUrl}/admin/settings`, { headers: { cookie: login.cookie } })).text();

  const testRelay = async () => {
    const response = await fetch(`${app.baseUrl}/admin/settings/test-relay`, {
      method: 'POST',
      headers: { cookie: login.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${login.csrfToken}`,
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    return /<p class="notice[^"]*" role="status">([^<]+)<\/p>/.exec(html)?.[1] ?? html;
  };

  it('shows the effective configuration without any secret', async () => {
    const html = await settings();
    expect(await htmlProblems(html)).toEqual([]);
    for (const secret of [
      relayPassword,
      encodeURIComponent(relayPassword),
      metricsToken,
      app.config.secret ?? '',
      'BEGIN PRIVATE KEY',
    ])
      expect(html).not.toContain(secret);
    // The SMTP_URL still says where mail goes and as whom, with the password masked in place.
    expect(html).toMatch(/smtp:\/\/news:••••••@127\.0\.0\.1:\d+/);
    expect(html).toContain('mail2026');
    for (const name of ['SECRET', 'METRICS_TOKEN', 'DKIM_PRIVATE_KEY'])
      expect(html).toMatch(
        new RegExp(`<code>${name}</code></th><td class="secret">•••••• \\(set, hidden\\)</td>`),
      );
  });

  it('tests the relay: connected, greeted and logged in', async () => {
    expect(await testRelay()).toMatch(/^The relay answered: connected, greeted and logged in \(\d+ ms\)\.$/);
  });

  it('says where the relay test failed when the relay refuses the login', async () => {
    app.smtp.behave({ stage: 'auth', code: 535, text: '5.7.8 Authentication credentials invalid' });
    try {
      const result = await testRelay();
      expect(result).toContain('The relay test failed at auth');
      expect(result).toContain('535');
      expect(result).not.toContain(relayPassword);
    } finally {
      app.smtp.behave();
    }
  });

  it('records each relay test in the ledger, naming the admin', async () => {
    const events = await app.db.kysely
      .selectFrom('ledger_events')
      .select('detail')
      .where('kind', '=', 'admin_action')
      .execute();
    const tests = events.map((e) => JSON.parse(e.detail)).filter((d) => d.action === 'relay tested');
    expect(tests).toEqual([
      { admin: app.admin.email, action: 'relay tested', ok: true },
      { admin: app.admin.email, action: 'relay tested', ok: false },
    ]);
  });
});
