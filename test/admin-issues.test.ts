// The admin's notes, issues, mailbox and ledger pages over real HTTP, on both engines: what each page
// shows, what each action does (through the delivery module, recorded in the ledger), the live figures'
// event stream, and clear refusals of bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/open-database.js';
import { createIssue } from '../src/delivery/issue-store.js';
import { type AdminApp, type AdminLogin, adminHttp, adminLogin, startAdminApp } from './support/admin-app.js';
import { engines } from './support/databases.js';
import { htmlProblems } from './support/html-validator.js';
import { addActiveReaders } from './support/readers.js';

const readers = 40;

function client(app: AdminApp, login: AdminLogin) {
  const { get, post } = adminHttp(app.baseUrl, login);
  /** A page that must answer 200 with valid HTML. */
  const page = async (path: string) => {
    const response = await get(path);
    const html = await response.text();
    expect(response.status, `${path}: ${html.slice(0, 300)}`).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await htmlProblems(html), path).toEqual([]);
    return { response, html };
  };
  return { get, post, page };
}

async function adminActions(db: Db, action: string) {
  const rows = await db.kysely
    .selectFrom('ledger_events')
    .select('detail')
    .where('kind', '=', 'admin_action')
    .execute();
  return rows.map((r) => JSON.parse(r.detail)).filter((d) => d.action === action);
}

/** Reads a server-sent event stream until it ends; the events by name, data parsed. */
async function readEvents(response: Response, timeoutMs = 20_000) {
  const events: { event: string; data: unknown }[] = [];
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`stream did not end: ${JSON.stringify(events)}`);
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (name && data) events.push({ event: name, data: JSON.parse(data) });
      end = buffer.indexOf('\n\n');
    }
  }
  return events;
}

describe.each(engines)('admin notes, issues and ledger on %s', (engine) => {
  let app: AdminApp;
  let http: ReturnType<typeof client>;
  beforeAll(async () => {
    app = await startAdminApp({ engine, workers: false });
    await addActiveReaders(app.db, readers, app.clock.now());
    http = client(app, await adminLogin(app.baseUrl, app.admin.email, app.admin.password));
  });
  afterAll(() => app?.close());

  const issueOf = (slug: string) =>
    app.db.kysely.selectFrom('issues').selectAll().where('note_slug', '=', slug).executeTakeFirst();

  it('lists every note with its state: draft, scheduled, published', async () => {
    const { html } = await http.page('/admin/notes');
    const row = (slug: string) =>
      new RegExp(`href="/admin/notes/${slug}"[\\s\\S]*?badge-(\\w+)`).exec(html)?.[1];
    expect(row('unfinished')).toBe('draft');
    expect(row('next-week')).toBe('scheduled');
    expect(row('restore-drills')).toBe('published');
    expect(row('capacity-planning')).toBe('published');
  });

  it('shows a draft as the site will (a signed preview link that works) and as its email will', async () => {
    const { response, html } = await http.page('/admin/notes/unfinished');
    expect(response.headers.get('content-security-policy')).toContain("frame-src 'self'");
    const preview = /href="(\/preview\/unfinished\?expires=\d+&amp;signature=[\w-]+)"/.exec(html)?.[1];
    expect(preview).toBeDefined();
    const site = await fetch(`${app.baseUrl}${preview?.replace(/&amp;/g, '&')}`);
    expect(site.status).toBe(200);
    expect(await site.text()).toContain('An unfinished draft');
    // The email: the frame, the text part and the headers a reader's mail will carry.
    const iframe = /<iframe[^>]*>/.exec(html)?.[0] ?? '';
    expect(iframe).toContain('src="/admin/notes/unfinished/email.html" sandbox="allow-same-origin"');
    expect(iframe).not.toContain('allow-scripts');
    expect(html).toContain('List-Unsubscribe-Post');
    expect(html).toContain('Not ready.');
    const frame = await http.get('/admin/notes/unfinished/email.html');
    expect(frame.status).toBe(200);
    const policy = frame.headers.get('content-security-policy') ?? '';
    expect(policy).toContain('sandbox allow-same-origin');
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('allow-scripts');
    expect(frame.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await frame.text()).toContain('An unfinished draft');
  });

  it('answers 404 for a note or an issue that does not exist, and for an id that is not one', async () => {
    for (const path of [
      '/admin/notes/no-such-note',
      '/admin/notes/no-such-note/email.html',
      '/admin/issues/999999',
      '/admin/issues/abc',
      '/admin/issues/1e3',
      '/admin/issues/999999/progress',
    ])
      expect((await http.get(path)).status, path).toBe(404);
    expect((await http.post('/admin/issues/999999/pause')).status).toBe(404);
    expect((await http.post('/admin/notes/no-such-note/test', { address: 'a@example.com' })).status).toBe(
      404,
    );
  });

  it('sends a marked test copy of a note to the address typed, counted nowhere, and refuses a bad one', async () => {
    const before = app.smtp.received.length;
    const bad = await http.post('/admin/notes/restore-drills/test', { address: 'not an address' });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain('An email address has exactly one @');
    expect(page).toContain('value="not an address"');
    expect(await htmlProblems(page)).toEqual([]);
    expect(app.smtp.received.length).toBe(before);

    const sent = await http.post('/admin/notes/restore-drills/test', { address: 'proof@example.org' });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/admin/notes/restore-drills?done=test-sent');
    const [mail] = (await app.smtp.waitFor(1)).slice(-1);
    expect(app.smtp.received.at(-1)?.to).toBe('proof@example.org');
    expect(mail?.subject).toMatch(/^\[Test\] Restore drills/);
    expect(await issueOf('restore-drills')).toBeUndefined();
    expect(await adminActions(app.db, 'note_test_sent')).toEqual([
      { note: 'restore-drills', admin: app.admin.email, action: 'note_test_sent' },
    ]);
    expect((await http.page('/admin/notes/restore-drills?done=test-sent')).html).toContain(
      'A marked test copy was sent',
    );
  });

  it('starts a published note’s issue, follows it to the end over the event stream, and shows it', async () => {
    const started = await http.post('/admin/notes/restore-drills/send-now');
    expect(started.status).toBe(303);
    const issue = await issueOf('restore-drills');
    expect(issue?.state).toBe('sending');
    expect(issue?.recipients).toBe(readers);
    expect(started.headers.get('location')).toBe(`/admin/issues/${issue?.id}?done=started`);
    const sending = await http.page(`/admin/issues/${issue?.id}`);
    expect(sending.html).toContain('/admin/assets/issue-progress.js');
    expect(sending.html).toContain(`data-progress-url="/admin/issues/${issue?.id}/progress"`);

    const stream = await http.get(`/admin/issues/${issue?.id}/progress`, 'text/event-stream');
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const events = readEvents(stream);
    await app.services.issues.sendAll();
    const seen = await events;
    const progress = seen.filter((e) => e.event === 'progress').map((e) => e.data as Record<string, unknown>);
    expect(progress[0]?.state).toBe('sending');
    expect(progress.at(-1)).toMatchObject({ state: 'done', sent: readers, settled: readers, final: true });
    expect(seen.at(-1)?.event).toBe('end');

    // A plain refresh shows the same figures, without the script.
    const done = await http.page(`/admin/issues/${issue?.id}`);
    expect(done.html).toContain(`<dd data-figure="sent">${readers}</dd>`);
    expect(done.html).toContain('<span data-figure="percent">100 %</span>');
    expect(done.html).not.toContain('issue-progress.js');
    const list = await http.page('/admin/issues');
    expect(list.html).toContain(`href="/admin/issues/${issue?.id}"`);
    expect(await adminActions(app.db, 'issue_started')).toEqual([
      { issue: issue?.id, note: 'restore-drills', admin: app.admin.email, action: 'issue_started' },
    ]);
  });

  it('sends a test copy of an issue without counting it as the issue’s mail', async () => {
    const issue = await issueOf('restore-drills');
    const before = app.smtp.received.length;
    expect((await http.post(`/admin/issues/${issue?.id}/test`, { address: 'a@b' })).status).toBe(400);
    const sent = await http.post(`/admin/issues/${issue?.id}/test`, { address: 'proof@example.org' });
    expect(sent.status).toBe(303);
    await app.smtp.waitFor(before + 1);
    expect(app.smtp.received.length).toBe(before + 1);
    const { html } = await http.page(`/admin/issues/${issue?.id}?done=test-sent`);
    expect(html).toContain(`<dd data-figure="sent">${readers}</dd>`);
    expect(html).toContain('It is not counted');
  });

  it('pauses, resumes and cancels through the delivery module, each recorded, and refuses what cannot be', async () => {
    expect((await http.post('/admin/notes/capacity-planning/send-now')).status).toBe(303);
    const issue = await issueOf('capacity-planning');
    const base = `/admin/issues/${issue?.id}`;
    expect((await http.post(`${base}/pause`, {}, 'x'.repeat(43))).status).toBe(403);
    expect((await issueOf('capacity-planning'))?.state).toBe('sending');

    const paused = await http.post(`${base}/pause`);
    expect(paused.status).toBe(303);
    expect(paused.headers.get('location')).toBe(`${base}?done=paused`);
    expect((await issueOf('capacity-planning'))?.state).toBe('paused');
    expect((await http.page(`${base}?done=paused`)).html).toContain('>Resume</button>');

    expect((await http.post(`${base}/resume`)).status).toBe(303);
    expect((await issueOf('capacity-planning'))?.state).toBe('sending');
    expect((await http.post(`${base}/cancel`)).status).toBe(303);
    expect((await issueOf('capacity-planning'))?.state).toBe('cancelled');

    const refused = await http.post(`${base}/pause`);
    expect(refused.status).toBe(409);
    const html = await refused.text();
    expect(html).toContain('is cancelled');
    expect(await htmlProblems(html)).toEqual([]);
    for (const action of ['issue_pause', 'issue_resume', 'issue_cancel'])
      expect(await adminActions(app.db, action)).toEqual([
        { issue: issue?.id, note: 'capacity-planning', admin: app.admin.email, action },
      ]);
    // A cancelled issue is never started again.
    const again = await http.post('/admin/notes/capacity-planning/send-now');
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('a cancelled issue is not sent again');
  });

  it('refuses to send a draft or a scheduled note now', async () => {
    for (const slug of ['unfinished', 'next-week']) {
      const refused = await http.post(`/admin/notes/${slug}/send-now`);
      expect(refused.status, slug).toBe(409);
      expect(await issueOf(slug)).toBeUndefined();
    }
  });

  it('refuses the event stream without a session', async () => {
    const issue = await issueOf('restore-drills');
    const response = await fetch(`${app.baseUrl}/admin/issues/${issue?.id}/progress`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(response.status).toBe(401);
  });

  it('browses the ledger newest first, by kind and by page, and verifies the chain from the page', async () => {
    const { html } = await http.page('/admin/ledger');
    expect(html).toContain('<option value="admin_action">admin_action</option>');
    const seqs = [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(seqs.length).toBeGreaterThan(3);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const filtered = await http.page('/admin/ledger?kind=issue_nothing');
    expect(filtered.html).toContain('No events of kind issue_nothing');
    const older = await http.page(`/admin/ledger?kind=admin_action&before=${seqs[1]}`);
    const olderSeqs = [...older.html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(olderSeqs.every((s) => s < (seqs[1] ?? 0))).toBe(true);
    expect(olderSeqs.length).toBeGreaterThan(0);
    for (const bad of ['?before=abc', '?before=-1', '?kind=DROP%20TABLE'])
      expect((await http.get(`/admin/ledger${bad}`)).status, bad).toBe(400);

    const verified = await http.post('/admin/ledger/verify');
    expect(verified.status).toBe(200);
    const result = await verified.text();
    expect(result).toMatch(/The chain verifies:<\/strong> \d+ events/);
    expect(await htmlProblems(result)).toEqual([]);
    expect((await http.post('/admin/ledger/verify', {}, 'x'.repeat(43))).status).toBe(403);
  });
});

describe('the admin mailbox, where mail goes without SMTP_URL', () => {
  let app: AdminApp;
  let http: ReturnType<typeof client>;
  beforeAll(async () => {
    app = await startAdminApp({ workers: false, localMailbox: true });
    http = client(app, await adminLogin(app.baseUrl, app.admin.email, app.admin.password));
  });
  afterAll(() => app?.close());

  it('lists the mails and shows one as a mail client does, its HTML sandboxed', async () => {
    const empty = await http.page('/admin/mailbox');
    expect(empty.html).toContain('The mailbox is empty');
    expect((await http.post('/admin/notes/restore-drills/test', { address: 'me@example.org' })).status).toBe(
      303,
    );
    const { html } = await http.page('/admin/mailbox');
    expect(html).toContain('[Test] Restore drills');
    expect(html).toContain('me@example.org');
    const file = /href="\/admin\/mailbox\/([^"]+\.eml)"/.exec(html)?.[1];
    expect(file).toBeDefined();

    const mail = await http.page(`/admin/mailbox/${file}`);
    expect(mail.response.headers.get('content-security-policy')).toContain("frame-src 'self'");
    expect(mail.html).toContain(`src="/admin/mailbox/${file}/html" sandbox="allow-same-origin"`);
    expect(mail.html).toContain('List-Unsubscribe');
    expect(mail.html).toContain('Every backup report says');
    const frame = await http.get(`/admin/mailbox/${file}/html`);
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-security-policy')).toMatch(/sandbox allow-same-origin(;|$)/);
    expect(await frame.text()).toContain('Every backup report says');
  });

  it('answers 404 for a mail that is not there, whatever the name tries', async () => {
    for (const name of [
      'nope.eml',
      '..%2Fsecret',
      '..%2F..%2Fetc%2Fpasswd',
      '2026-01-01T00-00-00-000Z_x.eml/html',
    ])
      expect((await http.get(`/admin/mailbox/${name}`)).status, name).toBe(404);
    expect((await http.get('/admin/mailbox?before=%2F..')).status).toBe(400);
  });

  it('lists the issues fifty a page, newest first, and pages to the oldest', async () => {
    // As an old archive's first start makes them: one held issue per note.
    for (let n = 1; n <= 60; n++)
      await createIssue(
        app.db.kysely,
        {
          slug: `archived-${n}`,
          subject: `Archived note ${n}`,
          summary: 'From the archive.',
          noteUrl: `http://127.0.0.1/notes/archived-${n}`,
          html: '<p>From the archive.</p>',
          text: 'From the archive.',
          publishedAt: new Date('2020-01-01T09:00:00Z'),
        },
        app.clock.now(),
        'published long ago',
      );
    const all = await app.db.kysely.selectFrom('issues').select('id').orderBy('id', 'desc').execute();
    const ids = (html: string) =>
      [...html.matchAll(/<a href="\/admin\/issues\/(\d+)">/g)].map((m) => Number(m[1]));
    const pages: number[][] = [];
    let path: string | undefined = '/admin/issues';
    while (path) {
      const { html } = await http.page(path);
      pages.push(ids(html));
      expect(html.includes('>Newest issues</a>'), path).toBe(pages.length > 1);
      path = /<a href="(\/admin\/issues\?before=\d+)" rel="next">Older issues<\/a>/.exec(html)?.[1];
    }
    expect(pages.map((page) => page.length)).toEqual([50, all.length - 50]);
    expect(pages.flat()).toEqual(all.map((row) => row.id));
    const past = await http.page(`/admin/issues?before=${all.at(-1)?.id}`);
    expect(past.html).toContain('No older issues.');
    for (const bad of ['abc', '-1', '0', '1e3', '99999999999999999999'])
      expect((await http.get(`/admin/issues?before=${bad}`)).status, bad).toBe(400);
  });
});

describe('a live stream when the server stops', () => {
  it('ends, so that the server can close', { timeout: 60_000 }, async () => {
    const app = await startAdminApp({ workers: false });
    let closed = false;
    try {
      await addActiveReaders(app.db, 3, app.clock.now());
      const http = client(app, await adminLogin(app.baseUrl, app.admin.email, app.admin.password));
      expect((await http.post('/admin/notes/restore-drills/send-now')).status).toBe(303);
      const issue = await app.db.kysely.selectFrom('issues').select('id').executeTakeFirstOrThrow();
      const stream = await http.get(`/admin/issues/${issue.id}/progress`, 'text/event-stream');
      const events = readEvents(stream);
      const started = Date.now();
      await app.close();
      closed = true;
      expect(Date.now() - started).toBeLessThan(10_000);
      const seen = await events;
      expect(seen[0]).toMatchObject({ event: 'progress', data: { state: 'sending' } });
      expect(seen.some((e) => e.event === 'end')).toBe(false);
    } finally {
      if (!closed) await app.close();
    }
  });
});
