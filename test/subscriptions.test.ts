import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../src/ledger/ledger.js';
import { engines } from './support/databases.js';
import { linkIn } from './support/smtp-sink.js';
import { form, type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

describe.each(engines)('subscriptions on %s', (engine) => {
  let t: SubscriptionApp;
  beforeEach(async () => {
    t = await startSubscriptionApp(engine);
  });
  afterEach(async () => t.close());

  const postForm = (url: string, payload: string) =>
    t.app.inject({ method: 'POST', url, headers: form, payload });
  const subscribe = (email: string, extra = '') =>
    postForm('/subscribe', `email=${encodeURIComponent(email)}&form=hero${extra}`);
  const status = async (email: string) =>
    (await t.db.selectFrom('subscribers').select('status').where('email', '=', email).executeTakeFirst())
      ?.status;
  const kinds = async () =>
    (await t.db.selectFrom('ledger_events').select('kind').orderBy('seq').execute()).map((e) => e.kind);

  it('goes from the form to a confirmed subscriber and out again by one-click unsubscribe', async () => {
    const answer = await subscribe('  Reader@Example.COM ');
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/subscribe/check-inbox');
    expect(await status('Reader@example.com')).toBe('pending');

    await t.deliver();
    const [confirmation] = await t.smtp.waitFor(1);
    if (!confirmation) throw new Error('no mail');
    expect(confirmation.to).toMatchObject({ text: 'Reader@example.com' });
    expect(confirmation.from?.value[0]).toMatchObject({ name: 'Test', address: 'news@errorbudget.test' });
    expect(confirmation.messageId).toMatch(/^<[0-9a-f-]{36}@errorbudget\.test>$/);
    expect(confirmation.date).toBeInstanceOf(Date);
    expect(confirmation.html).toContain('Confirm my subscription');
    const confirmLink = linkIn(confirmation, '/confirm/');

    const page = await t.app.inject({ method: 'GET', url: t.path(confirmLink) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('src="/assets/confirm.js"');
    expect(page.body).toContain('<button type="submit">Confirm my subscription</button>');
    // Without scripts nothing is confirming by itself, so the page must not say so.
    expect(page.body).not.toContain('Confirming');
    expect(page.body).toContain('Press the button to confirm');
    expect(await status('Reader@example.com')).toBe('pending');

    // POST-redirect-GET: the answer is a page of its own, which a reload shows again without posting.
    const confirmed = await postForm(t.path(confirmLink), 'automatic=1');
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toMatch(/^\/welcome\/[A-Za-z0-9_.-]+$/);
    expect(await status('Reader@example.com')).toBe('active');
    const result = await t.app.inject({ method: 'GET', url: String(confirmed.headers.location) });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('You are subscribed');
    expect(result.body).toContain(
      `href="${String(confirmed.headers.location).replace('/welcome/', '/manage/')}"`,
    );
    const again = await postForm(t.path(confirmLink), 'automatic=1');
    expect(again.headers.location).toBe(t.path(confirmLink));
    expect((await t.app.inject({ method: 'GET', url: t.path(confirmLink) })).body).toContain(
      'Already confirmed',
    );

    await t.deliver();
    const welcome = (await t.smtp.waitFor(2))[1];
    if (!welcome) throw new Error('no welcome mail');
    expect(welcome.subject).toContain('Welcome');
    const header = (name: string) => welcome.headerLines.find((h) => h.key === name)?.line ?? '';
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const listUnsubscribe = header('list-unsubscribe');
    const unsubscribeLink = /<(https:[^>]+)>/.exec(listUnsubscribe)?.[1] ?? '';
    expect(unsubscribeLink).toBe(linkIn(welcome, '/unsubscribe/'));
    expect(welcome.text).toContain(`${unsubscribeLink.replace('/unsubscribe/', '/manage/')}`);

    const oneClick = await postForm(t.path(unsubscribeLink), 'List-Unsubscribe=One-Click');
    expect(oneClick.statusCode).toBe(200);
    expect(await status('Reader@example.com')).toBe('unsubscribed');

    expect(await kinds()).toEqual(['subscribe_requested', 'confirmation_sent', 'confirmed', 'unsubscribed']);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true, events: 4 });
  });

  it('gives the same answer for a new, pending, confirmed and unknown address', async () => {
    const answers = [];
    for (const email of ['new@example.com', 'new@example.com']) answers.push(await subscribe(email));
    await t.db.updateTable('subscribers').set({ status: 'active' }).execute();
    answers.push(await subscribe('new@example.com'));
    answers.push(await subscribe('other@example.com', '&website=http%3A%2F%2Fspam.example'));
    for (const a of answers) {
      expect(a.statusCode).toBe(303);
      expect(a.headers.location).toBe('/subscribe/check-inbox');
    }
    const json = await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      payload: { email: 'new@example.com' },
    });
    expect(json.json()).toEqual({ message: expect.stringContaining('Check your inbox') });
  });

  it('mails one confirmation per address per 10 minutes and five per day, whatever the requests', async () => {
    for (let i = 0; i < 5; i++) await subscribe('busy@example.com');
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(1);
    for (let hour = 0; hour < 8; hour++) {
      t.clock.advance(11 * 60_000);
      await subscribe('busy@example.com');
    }
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(5);
    t.clock.advance(24 * 3600_000);
    await subscribe('busy@example.com');
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(6);
  });

  it('writes nothing for the honeypot', async () => {
    const before = await t.counts();
    expect((await subscribe('bot@example.com', '&website=x')).statusCode).toBe(303);
    expect(await t.counts()).toEqual(before);
  });

  it('never confirms on a GET, and a client that fetched the hidden links confirms nobody', async () => {
    await subscribe('scanned@example.com');
    await t.deliver();
    const [mail] = t.smtp.messages;
    if (!mail) throw new Error('no mail');
    const hrefs = [...String(mail.html).matchAll(/href="([^"]+)"/g)].map((m) =>
      (m[1] ?? '').replace(/&amp;/g, '&'),
    );
    expect(hrefs.filter((h) => h.includes('?c='))).toHaveLength(2);
    // A scanner fetches every link in the mail, in order, and runs the page's script.
    for (const href of hrefs) {
      const response = await t.app.inject({ method: 'GET', url: t.path(href) });
      expect(response.statusCode).toBeLessThan(500);
    }
    expect(await status('scanned@example.com')).toBe('pending');
    const link = linkIn(mail, '/confirm/');
    const automatic = await postForm(t.path(link), 'automatic=1');
    expect(automatic.statusCode).toBe(303);
    expect(automatic.headers.location).toBe(t.path(link));
    const buttonOnly = await t.app.inject({ method: 'GET', url: t.path(link) });
    expect(buttonOnly.body).toContain('Press the button');
    expect(buttonOnly.body).not.toContain('confirm.js');
    expect(await status('scanned@example.com')).toBe('pending');
    // The person behind the scanner can still confirm with a click.
    const click = await postForm(t.path(link), 'automatic=');
    const welcome = await t.app.inject({ method: 'GET', url: String(click.headers.location) });
    expect(welcome.body).toContain('You are subscribed');
    expect(await status('scanned@example.com')).toBe('active');
  });

  it('shows a clear page for a used, expired or forged confirmation link', async () => {
    await subscribe('late@example.com');
    await t.deliver();
    const link = t.path(linkIn(t.smtp.messages[0] ?? ({} as never), '/confirm/'));
    t.clock.advance(49 * 3600_000);
    const expired = await t.app.inject({ method: 'GET', url: link });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This link has expired');
    const refused = await postForm(link, '');
    expect(refused.statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: String(refused.headers.location) })).statusCode).toBe(
      410,
    );
    expect(await status('late@example.com')).toBe('pending');
    const forged = await t.app.inject({
      method: 'GET',
      url: '/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(forged.statusCode).toBe(404);
    expect(forged.body).toContain('This link is not valid');
  });

  it('re-subscribing after leaving goes through double opt-in again', async () => {
    await subscribe('again@example.com');
    await t.deliver();
    const confirmed = await postForm(t.path(linkIn(t.smtp.messages[0] ?? ({} as never), '/confirm/')), '');
    await t.deliver();
    const unsubscribe = t.path(linkIn(t.smtp.messages[1] ?? ({} as never), '/unsubscribe/'));
    const page = await t.app.inject({ method: 'GET', url: unsubscribe });
    expect(page.body).toContain('a••••@example.com');
    await postForm(unsubscribe, '');
    expect(await status('again@example.com')).toBe('unsubscribed');
    // The welcome page no longer welcomes: it sends the reader to their status.
    const welcome = String(confirmed.headers.location);
    const stale = await t.app.inject({ method: 'GET', url: welcome });
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toBe(welcome.replace('/welcome/', '/manage/'));
    t.clock.advance(11 * 60_000);
    await subscribe('again@example.com');
    expect(await status('again@example.com')).toBe('pending');
    await t.deliver();
    expect(t.smtp.messages[2]?.subject).toContain('Confirm');
  });

  it('lets a subscriber see, download and erase what is kept, and the ledger still verifies', async () => {
    await subscribe('me@example.com');
    await subscribe('someone-else@example.com');
    await t.deliver();
    const mine = t.smtp.messages.find((m) => m.text?.includes('me@example.com'));
    await postForm(t.path(linkIn(mine ?? ({} as never), '/confirm/')), '');
    await t.deliver();
    const welcome = t.smtp.messages.find((m) => m.subject?.startsWith('Welcome'));
    const manage = t.path(linkIn(welcome ?? ({} as never), '/manage/'));

    const page = await t.app.inject({ method: 'GET', url: manage });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('me@example.com');
    expect(page.body).toContain('subscribed');

    const data = await t.app.inject({ method: 'GET', url: `${manage}/data.json` });
    expect(data.headers['content-disposition']).toContain('attachment');
    const exported = data.json();
    expect(exported.subscriber).toMatchObject({ email: 'me@example.com', status: 'active' });
    expect(exported.consentLedger.map((e: { kind: string }) => e.kind)).toEqual([
      'subscribe_requested',
      'confirmation_sent',
      'confirmed',
    ]);
    expect(exported.consentLedger[0].proof).toMatchObject({ ip: '127.0.0.1', form: 'hero' });
    expect(exported.mails.map((m: { kind: string }) => m.kind)).toEqual(['confirmation', 'welcome']);

    const refused = await postForm(`${manage}/erase`, '');
    expect(refused.statusCode).toBe(400);
    expect(await status('me@example.com')).toBe('active');

    const erased = await postForm(`${manage}/erase`, 'confirm=yes');
    expect(erased.statusCode).toBe(200);
    expect(await status('me@example.com')).toBeUndefined();
    const everything = JSON.stringify([
      await t.db.selectFrom('subscribers').selectAll().execute(),
      await t.db.selectFrom('outbox').selectAll().execute(),
      await t.db.selectFrom('confirmations').selectAll().execute(),
      await t.db.selectFrom('ledger_events').selectAll().execute(),
    ]);
    expect(everything).not.toContain('me@example.com');
    expect(everything).toContain('someone-else@example.com');
    expect((await t.app.inject({ method: 'GET', url: manage })).statusCode).toBe(404);
    expect((await kinds()).at(-1)).toBe('erased');
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });

  it('retries a transient SMTP failure with backoff and gives up on a permanent one', async () => {
    t.smtp.reject(1, 451);
    await subscribe('retry@example.com');
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(0);
    const row = await t.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.last_error).toContain('451');
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(0);
    t.clock.advance(2_000);
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(1);

    t.smtp.behave({ stage: 'rcpt', code: 550, text: '5.1.1 no such user', count: 1 });
    await subscribe('bounce@example.com');
    await t.deliver();
    expect(
      await t.db
        .selectFrom('outbox')
        .select(['status', 'last_reply_class'])
        .where('recipient', '=', 'bounce@example.com')
        .executeTakeFirst(),
    ).toEqual({ status: 'failed', last_reply_class: 'hard-bounce' });
    // The relay refused the address itself: no more mail to it, and the ledger says why.
    expect(await status('bounce@example.com')).toBe('suppressed');
    expect((await kinds()).at(-1)).toBe('suppressed');

    // Subscribing again proves the mailbox works: a new confirmation, and confirming makes them active.
    t.clock.advance(3600_000);
    await subscribe('bounce@example.com');
    await t.deliver();
    const again = t.smtp.messages.at(-1);
    if (!again) throw new Error('no second confirmation');
    expect(again.to).toMatchObject({ text: 'bounce@example.com' });
    await postForm(t.path(linkIn(again, '/confirm/')), 'automatic=1');
    expect(await status('bounce@example.com')).toBe('active');
  });

  it.each([
    ['a refused login', { stage: 'auth', code: 535, text: '5.7.8 authentication failed' }],
    ['a refused sender', { stage: 'mail', code: 550, text: '5.7.1 sender rejected' }],
    ['a policy refusal of the recipient', { stage: 'rcpt', code: 554, text: '5.7.1 relaying denied' }],
    ['content refused after the body', { stage: 'data', code: 554, text: 'transaction failed: spam' }],
  ] as const)('keeps the mail and suppresses nobody after %s', async (_name, refusal) => {
    await t.close();
    t = await startSubscriptionApp(engine, { sink: refusal.stage === 'auth' ? 'auth' : 'plain' });
    t.smtp.behave({ ...refusal, count: 1 });
    await subscribe('keep@example.com');
    await t.deliver();
    const row = await t.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row, row.last_error ?? '').toMatchObject({ status: 'queued', last_reply_class: 'sender' });
    expect(await status('keep@example.com')).toBe('pending');
    expect(await t.db.selectFrom('bounce_events').selectAll().execute()).toEqual([]);
    t.clock.advance(2_000);
    await t.deliver();
    expect(t.smtp.messages).toHaveLength(1);
  });

  it('answers too many subscribe requests from one address with 429', async () => {
    const limited = await startSubscriptionApp(engine, {
      rateLimits: { subscribePerMinute: 3, linksPerMinute: 3 },
    });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++) {
        codes.push(
          (
            await limited.app.inject({
              method: 'POST',
              url: '/subscribe',
              headers: form,
              payload: `email=a${i}@example.com`,
            })
          ).statusCode,
        );
      }
      expect(codes).toEqual([303, 303, 303, 429]);
      const limitedPage = await limited.app.inject({
        method: 'POST',
        url: '/subscribe',
        headers: form,
        payload: 'email=b@example.com',
      });
      expect(limitedPage.body).toContain('Too many requests');
    } finally {
      await limited.close();
    }
  });
});
