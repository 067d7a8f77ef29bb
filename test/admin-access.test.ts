// Logging in to the admin over real HTTP: sessions, CSRF, logout, and what every admin answer carries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminApp, adminLogin, startAdminApp, submitPassword } from './support/admin-app.js';
import { engines } from './support/databases.js';
import { htmlProblems } from './support/html-validator.js';

describe.each(engines)('admin access on %s', (engine) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp({ engine, workers: false });
  });
  afterAll(() => app?.close());

  const get = (path: string, cookie?: string, accept = 'text/html') =>
    fetch(`${app.baseUrl}${path}`, {
      redirect: 'manual',
      headers: { accept, ...(cookie ? { cookie } : {}) },
    });

  it('logs in with the right password and shows the settings page with the secrets masked', async () => {
    const { cookie } = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    const response = await get('/admin/settings', cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-robots-tag')).toContain('noindex');
    const html = await response.text();
    expect(html).toContain(app.admin.email);
    expect(html).toContain('SMTP_URL');
    expect(html).not.toContain(app.config.secret as string);
    // The admin opens on its dashboard.
    const home = await get('/admin', cookie);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<h1>Dashboard</h1>');
    expect(await htmlProblems(html)).toEqual([]);
  });

  it('sends a browser without a session to the login page, and a script a 401', async () => {
    const page = await get('/admin/settings');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/login');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect((await get('/admin/settings', undefined, 'application/json')).status).toBe(401);
  });

  it('refuses a wrong password without a session', async () => {
    const { response, cookie } = await submitPassword(
      app.baseUrl,
      app.admin.email,
      'not the password at all',
    );
    expect(response.status).toBe(401);
    expect(cookie).toBeUndefined();
    const html = await response.text();
    expect(html).toContain('Wrong email address or password');
    expect(await htmlProblems(html)).toEqual([]);
  });

  it('refuses a POST without the CSRF token, and ends the session at logout for good', async () => {
    const { cookie, csrfToken } = await adminLogin(app.baseUrl, app.admin.email, app.admin.password);
    const post = (path: string, body: Record<string, string>) =>
      fetch(`${app.baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { accept: 'text/html', cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const refused = await post('/admin/logout', {});
    expect(refused.status).toBe(403);
    expect(await htmlProblems(await refused.text())).toEqual([]);
    const missing = await get('/admin/no-such-page', cookie);
    expect(missing.status).toBe(404);
    expect(await htmlProblems(await missing.text())).toEqual([]);
    expect((await post('/admin/logout', { _csrf: 'x'.repeat(43) })).status).toBe(403);
    const out = await post('/admin/logout', { _csrf: csrfToken });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin/login?logged-out');
    expect((await get('/admin/settings', cookie)).status).toBe(303);
  });
});
