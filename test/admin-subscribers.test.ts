// The Subscribers pages and the dashboard over real HTTP, signed in as an admin, on each engine: every
// page is valid HTML, every action changes what it says through the subscriptions domain and is in the
// ledger under the admin's name, and bad input gets a 4xx that says why and writes nothing.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSubscribers } from '../src/subscriptions/import-subscribers.js';
import { type AdminApp, type AdminLogin, adminHttp, adminLogin, startAdminApp } from './support/admin-app.js';
import { engines } from './support/databases.js';
import { htmlProblems } from './support/html-validator.js';

describe.each(engines)('admin subscriber pages on %s', (engine) => {
  let t: AdminApp;
  let login: AdminLogin;

  beforeAll(async () => {
    t = await startAdminApp({ engine, workers: false });
    login = await adminLogin(t.baseUrl, t.admin.email, t.admin.password);
    await importSubscribers({
      db: t.db,
      keys: t.services.keys,
      clock: t.clock,
      input: Readable.from([
        `email\n${Array.from({ length: 70 }, (_, i) => `reader${String(i).padStart(2, '0')}@example.com`).join('\n')}\nZoe@example.org\n`,
      ]),
      source: 'seed.csv',
      status: 'active',
    });
  });
  afterAll(async () => t?.close());

  const http = () => adminHttp(t.baseUrl, login);
  const get = (path: string, accept?: string) => http().get(path, accept);
  const post = (path: string, fields?: Record<string, string>, csrf?: string) =>
    http().post(path, fields, csrf);
  const upload = (name: string, content: string | Buffer) => {
    const body = new FormData();
    body.set('_csrf', login.csrfToken);
    body.set(
      'file',
      new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: 'text/csv' }),
      name,
    );
    return fetch(`${t.baseUrl}/admin/subscribers/import`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', cookie: login.cookie },
      body,
    });
  };
  async function page(path: string): Promise<string> {
    const response = await get(path);
    expect(response.status, path).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(await htmlProblems(html), path).toEqual([]);
    return html;
  }
  const idOf = async (email: string) =>
    (
      await t.db.kysely
        .selectFrom('subscribers')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).id;
  const adminActions = async () =>
    (
      await t.db.kysely
        .selectFrom('ledger_events')
        .select('detail')
        .where('kind', '=', 'admin_action')
        .execute()
    ).map((e) => JSON.parse(e.detail) as Record<string, unknown>);

  it('shows the dashboard: readers by status, the growth chart with its table, no issues yet', async () => {
    const html = await page('/admin');
    expect(html).toMatch(/<span class="figure">71<\/span> <span>Active<\/span>/);
    expect(html).toContain('<svg class="growth-chart"');
    expect(html).toMatch(/<title id="growth-title">Readers over the last 90 days<\/title>/);
    expect(html).toMatch(/<desc id="growth-desc">Active readers went from 0 on .* to 71 on /);
    expect(html).toContain('The figures, day by day');
    expect(html).toContain('No issue has gone out yet.');
    expect(html).toContain('<h2 id="error-budget-title">Error budget</h2>');
  });

  it('lists readers newest first, a page of 50 at a time, and searches by address prefix', async () => {
    const first = await page('/admin/subscribers');
    expect(first).toContain('71 subscribers, newest first');
    expect(first.indexOf('Zoe@example.org')).toBeLessThan(first.indexOf('reader69@example.com'));
    const next = /href="(\/admin\/subscribers\?after=\d+)" rel="next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await page((next as string).replace(/&amp;/g, '&'));
    expect(second).toContain('reader00@example.com');
    expect(second).not.toContain('reader69@example.com');
    expect(second).not.toContain('rel="next"');

    const search = await page('/admin/subscribers?q=ZOE');
    expect(search).toContain('Zoe@example.org');
    expect(search).not.toContain('reader00@');
    const filtered = await page('/admin/subscribers?q=reader&status=pending');
    expect(filtered).toContain('No subscriber matches.');
  });

  it('refuses a query it does not make with a 400 page', async () => {
    for (const query of ['status=gone', 'after=-3', 'after=abc']) {
      const response = await get(`/admin/subscribers?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.text()).toContain('The search is not one this page makes');
    }
    expect((await get('/admin/subscribers/999999')).status).toBe(404);
  });

  it('suppresses and lifts a suppression through the subscriptions domain, in the ledger under the admin', async () => {
    const id = await idOf('reader05@example.com');
    expect(await page(`/admin/subscribers/${id}`)).toContain('Imported');
    const suppressed = await post(`/admin/subscribers/${id}/suppress`);
    expect(suppressed.status).toBe(303);
    const after = await page(suppressed.headers.get('location') as string);
    expect(after).toContain('Suppressed: no more mail goes to this address.');
    expect(after).toContain('admin: writer@errorbudget.test');
    const row = () =>
      t.db.kysely.selectFrom('subscribers').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect((await row()).status).toBe('suppressed');

    expect((await post(`/admin/subscribers/${id}/unsuppress`)).status).toBe(303);
    expect((await row()).status).toBe('active');
    expect(await adminActions()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'subscriber suppressed', subscriberId: id, admin: t.admin.email }),
        expect.objectContaining({
          action: 'subscriber unsuppressed',
          subscriberId: id,
          admin: t.admin.email,
        }),
      ]),
    );
    expect((await post(`/admin/subscribers/${id}/suppress`, {}, 'forged')).status).toBe(403);
    expect((await row()).status).toBe('active');
  });

  it('erases only when the box is ticked, and then the reader is gone', async () => {
    const id = await idOf('reader06@example.com');
    const unticked = await post(`/admin/subscribers/${id}/erase`);
    expect(unticked.status).toBe(400);
    expect(await unticked.text()).toContain('Tick the box to confirm the erasure');
    expect(await idOf('reader06@example.com')).toBe(id);

    const erased = await post(`/admin/subscribers/${id}/erase`, { confirm: 'yes' });
    expect(erased.status).toBe(303);
    expect(await page(erased.headers.get('location') as string)).toContain('The person was erased.');
    expect((await get(`/admin/subscribers/${id}`)).status).toBe(404);
    expect(await adminActions()).toContainEqual(
      expect.objectContaining({ action: 'subscriber erased', subscriberId: id }),
    );
  });

  it('imports a CSV: preview of its columns and rows, confirm, progress to the end', async () => {
    await page('/admin/subscribers/import');
    const csv = `Name,E-mail Address,subscribed_to_emails\nAnn,ann@example.net,true\nBo,bo@example.net,false\nCy,not-an-address,true\nDi,reader01@example.com,true\n`;
    const uploaded = await upload('ghost.csv', csv);
    expect(uploaded.status).toBe(303);
    const previewPath = uploaded.headers.get('location') as string;
    const preview = await page(previewPath);
    expect(preview).toContain('<strong>4</strong> rows under a header of 3 columns');
    expect(preview).toMatch(/E-mail Address<\/th><td>email \(by its name\)/);
    expect(preview).toMatch(/Name<\/th><td>name \(not imported\)/);
    expect(preview).toMatch(/subscribed_to_emails<\/th><td>says who left/);
    expect(
      await t.db.kysely
        .selectFrom('subscribers')
        .select('id')
        .where('email', '=', 'ann@example.net')
        .execute(),
    ).toEqual([]);

    const started = await post(`${previewPath}/start`, { emailColumn: '1', status: 'active' });
    expect(started.status).toBe(303);
    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 100 && progress.state !== 'done'; i++) {
      progress = (await (await get(previewPath, 'application/json')).json()) as Record<string, unknown>;
      if (progress.state !== 'done') await new Promise((r) => setTimeout(r, 50));
    }
    expect(progress).toMatchObject({
      state: 'done',
      rows: 4,
      totalRows: 4,
      imported: 1,
      duplicates: 1,
      bad: 2,
    });
    const done = await page(previewPath);
    expect(done).toContain('Done: 1 imported, 1 already here, 2 not imported.');
    expect(done).toContain('bo@example.net has left the list there');
    const ann = await t.db.kysely
      .selectFrom('subscribers')
      .select(['status', 'source'])
      .where('email', '=', 'ann@example.net')
      .executeTakeFirstOrThrow();
    expect(ann).toEqual({ status: 'active', source: 'import:ghost.csv' });
    expect(await adminActions()).toContainEqual(
      expect.objectContaining({
        action: 'import finished',
        file: 'ghost.csv',
        imported: 1,
        admin: t.admin.email,
      }),
    );
    // Started once: a second confirmation changes nothing.
    expect((await post(`${previewPath}/start`, { emailColumn: '1', status: 'active' })).status).toBe(303);
  });

  it.each([
    [
      'a CSV without an email column',
      'names.csv',
      'name,city\nAnn,Oslo\n',
      'names.csv: has no email column: its header has "name", "city"',
    ],
    [
      'a spreadsheet',
      'list.xlsx',
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x08, 0]),
      'list.xlsx: is not a CSV file: it holds binary data',
    ],
    ['an empty file', 'empty.csv', '', 'empty.csv: is empty'],
    [
      'a Latin-1 file',
      'latin.csv',
      Buffer.from('email,name\nx@example.com,J\xe9r\xf4me\n', 'latin1'),
      'latin.csv: is not UTF-8 text',
    ],
  ])('refuses %s with a 400 that says why, and keeps nothing', async (_case, name, content, message) => {
    const before = await t.db.kysely
      .selectFrom('subscribers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await upload(name, content);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html.replaceAll('&quot;', '"')).toContain(message);
    expect(await htmlProblems(html)).toEqual([]);
    const after = await t.db.kysely
      .selectFrom('subscribers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(await readdir(join(t.config.dataDir, 'imports'))).toEqual([]);
  });

  it('refuses an upload without a file, and a start with a column that is not there', async () => {
    const noFile = await post('/admin/subscribers/import');
    expect(noFile.status).toBe(400);
    expect(await noFile.text()).toContain('Choose a CSV file to upload.');
    const uploaded = await upload('one.csv', 'email\nsolo@example.net\n');
    const path = uploaded.headers.get('location') as string;
    const bad = await post(`${path}/start`, { emailColumn: '7', status: 'active' });
    expect(bad.status).toBe(400);
    expect((await get('/admin/subscribers/import/AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });

  it('exports every subscriber as CSV, on a POST with the CSRF token only', async () => {
    const response = await post('/admin/subscribers/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="subscribers-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const csv = await response.text();
    expect(csv.split('\n')[0]).toBe('email,status,source,created_at,confirmed_at,unsubscribed_at');
    expect(csv).toContain('Zoe@example.org,active,import:seed.csv');
    expect((await post('/admin/subscribers/export', {}, 'forged')).status).toBe(403);
    expect(await adminActions()).toContainEqual(expect.objectContaining({ action: 'subscribers exported' }));
  });
});
