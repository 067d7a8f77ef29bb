// What issue 9 asked of subscriptions: answers that tell nothing, one event per change under races,
// one inbox per mailbox, forms that act only for the person who clicked.
import { afterEach, describe, expect, it } from 'vitest';
import { engines } from './support/databases.js';
import { linkIn } from './support/smtp-sink.js';
import { form, type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

describe.each(engines)('hardened subscriptions on %s', (engine) => {
  let t: SubscriptionApp;
  afterEach(async () => t?.close());

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { ...form, ...headers }, payload });
  const subscribe = (email: string) => post('/subscribe', `email=${encodeURIComponent(email)}&form=hero`);
  const events = async (kind: string) =>
    (await t.db.selectFrom('ledger_events').select('detail').where('kind', '=', kind).execute()).map((e) =>
      JSON.parse(e.detail),
    );

  /** A confirmed reader; returns their personal manage and unsubscribe paths. */
  async function confirmedReader(email: string) {
    await subscribe(email);
    await t.deliver();
    const confirmation = t.smtp.messages.findLast((m) => m.subject?.startsWith('Confirm'));
    await post(t.path(linkIn(confirmation ?? ({} as never), '/confirm/')), '');
    await t.deliver();
    const welcome = t.smtp.messages.findLast((m) => m.subject?.startsWith('Welcome'));
    if (!welcome) throw new Error('no welcome mail');
    return {
      manage: t.path(linkIn(welcome, '/manage/')),
      unsubscribe: t.path(linkIn(welcome, '/unsubscribe/')),
    };
  }

  it('answers a new and a confirmed address alike and decides only afterwards, in the worker', async () => {
    t = await startSubscriptionApp(engine, { decide: 'later' });
    await subscribe('known@example.com');
    await t.decideRequests();
    await t.db.updateTable('subscribers').set({ status: 'active' }).execute();
    const before = await t.counts();
    const [fresh, known] = [await subscribe('fresh@example.com'), await subscribe('known@example.com')];
    expect([fresh.statusCode, fresh.headers.location, fresh.body]).toEqual([
      known.statusCode,
      known.headers.location,
      known.body,
    ]);
    // Answering wrote the same thing for both: one recorded request each, nothing decided yet.
    expect(await t.counts()).toEqual(before);
    expect(await t.db.selectFrom('subscribe_requests').select('email').orderBy('id').execute()).toEqual([
      { email: 'fresh@example.com' },
      { email: 'known@example.com' },
    ]);
    expect(await t.decideRequests()).toBe(2);
    expect(await t.db.selectFrom('subscribe_requests').selectAll().execute()).toEqual([]);
    const statuses = await t.db
      .selectFrom('subscribers')
      .select(['email', 'status'])
      .orderBy('email')
      .execute();
    expect(statuses).toEqual([
      { email: 'fresh@example.com', status: 'pending' },
      { email: 'known@example.com', status: 'active' },
    ]);
    await t.deliver();
    expect(t.smtp.messages.map((m) => !Array.isArray(m.to) && m.to?.text)).toEqual([
      'known@example.com',
      'fresh@example.com',
    ]);
  });

  it('mails one confirmation to one inbox however its address is spelled', async () => {
    t = await startSubscriptionApp(engine);
    const spellings = [
      'First.Last@gmail.com',
      'firstlast@gmail.com',
      'first.last+news@gmail.com',
      'FIRST.LAST+a@googlemail.com',
      'f.i.r.s.t.last@gmail.com',
      'firstlast+b@GMAIL.com',
      'First.Last+c@gmail.com',
      'firstLast+d@googlemail.com',
    ];
    for (const email of spellings) expect((await subscribe(email)).statusCode).toBe(303);
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(1);
    // Mail goes to the address as it was given.
    expect(t.smtp.messages[0]?.to).toMatchObject({ text: 'First.Last@gmail.com' });
  });

  it('writes one request event for a pending address and counts the rest into the confirmation', async () => {
    t = await startSubscriptionApp(engine);
    for (let i = 0; i < 10; i++) await subscribe('eager@example.com');
    expect(await events('subscribe_requested')).toHaveLength(1);
    await confirmedReader('eager@example.com');
    expect(await events('confirmed')).toEqual([expect.objectContaining({ requests: 11 })]);
  });

  it.each([
    [
      'one-click unsubscribes',
      'unsubscribed',
      (p: { unsubscribe: string }) => [p.unsubscribe, 'List-Unsubscribe=One-Click'],
    ],
    ['unsubscribes from the page', 'unsubscribed', (p: { unsubscribe: string }) => [p.unsubscribe, '']],
    ['erasures', 'erased', (p: { manage: string }) => [`${p.manage}/erase`, 'confirm=yes']],
  ] as const)('writes one event for 20 simultaneous %s', async (_name, kind, request) => {
    t = await startSubscriptionApp(engine);
    const [url = '', payload = ''] = request(await confirmedReader('racer@example.com'));
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(url, payload)));
    // Erasures after the first find the link dead (404); nothing answers 500 (the app fails the test).
    expect(answers.filter((a) => a.statusCode === 200).length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.statusCode === 200 || a.statusCode === 404)).toBe(true);
    expect(await events(kind)).toHaveLength(1);
  });

  it('confirms once for 20 simultaneous clicks on one link', async () => {
    t = await startSubscriptionApp(engine);
    await subscribe('clicker@example.com');
    await t.deliver();
    const link = t.path(linkIn(t.smtp.messages[0] ?? ({} as never), '/confirm/'));
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(link, '')));
    // Each click is redirected (POST-redirect-GET): to the welcome, or to the link's "already confirmed".
    expect(answers.every((a) => a.statusCode === 303)).toBe(true);
    const welcomed = answers.filter((a) => String(a.headers.location).startsWith('/welcome/'));
    expect(welcomed.length).toBeGreaterThanOrEqual(1);
    const page = await t.app.inject({ method: 'GET', url: String(welcomed[0]?.headers.location) });
    expect(page.body).toContain('You are subscribed');
    expect(await events('confirmed')).toHaveLength(1);
    expect(
      await t.db.selectFrom('outbox').select('kind').where('kind', '=', 'welcome').execute(),
    ).toHaveLength(1);
  });

  const crossSite = [
    ['another origin', { origin: 'https://evil.example' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    [
      'a same-site but other-origin fetch',
      { 'sec-fetch-site': 'same-site', origin: 'https://a.errorbudget.test' },
    ],
    ['a null origin without fetch metadata', { origin: 'null' }],
  ] as const;

  it.each(crossSite)('refuses manage, erase and unsubscribe forms posted from %s', async (_name, headers) => {
    t = await startSubscriptionApp(engine);
    const { manage, unsubscribe } = await confirmedReader('target@example.com');
    const before = await t.counts();
    for (const [url, payload] of [
      [`${manage}/erase`, 'confirm=yes'],
      [unsubscribe, ''],
    ] as const) {
      const answer = await post(url, payload, headers);
      expect(answer.statusCode).toBe(403);
      expect(answer.body).toContain('This form was sent from another site');
    }
    expect(await t.counts()).toEqual(before);
    const row = await t.db.selectFrom('subscribers').select('status').executeTakeFirst();
    expect(row?.status).toBe('active');
  });

  it('accepts the same forms from this site, and from clients that send no origin at all', async () => {
    t = await startSubscriptionApp(engine);
    const { unsubscribe } = await confirmedReader('own@example.com');
    const fromPage = await post(unsubscribe, '', {
      origin: 'null',
      'sec-fetch-site': 'same-origin',
    });
    expect(fromPage.body).toContain('unsubscribed');
    expect(await events('unsubscribed')).toHaveLength(1);
  });

  it.each([
    ['a form', form, 'List-Unsubscribe=One-Click'],
    [
      'multipart with a quoted field name',
      { 'content-type': 'multipart/form-data; boundary=xyz' },
      '--xyz\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--xyz--\r\n',
    ],
    [
      'multipart with an unquoted field name',
      { 'content-type': 'multipart/form-data; boundary=xyz' },
      '--xyz\r\nContent-Disposition: form-data; name=List-Unsubscribe\r\n\r\nOne-Click\r\n--xyz--\r\n',
    ],
  ])(
    'takes a one-click unsubscribe from a mail provider as %s, whatever its origin',
    async (_name, headers, payload) => {
      t = await startSubscriptionApp(engine);
      const { unsubscribe } = await confirmedReader('provider@example.com');
      const answer = await t.app.inject({
        method: 'POST',
        url: unsubscribe,
        headers: { ...headers, origin: 'https://mail.provider.example', 'sec-fetch-site': 'cross-site' },
        payload,
      });
      expect([answer.statusCode, answer.headers['content-type'], answer.body]).toEqual([
        200,
        'text/plain; charset=utf-8',
        'unsubscribed',
      ]);
      expect(await events('unsubscribed')).toEqual([{ how: 'one-click (RFC 8058)' }]);
    },
  );
});
