import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines } from './support/databases.js';
import { form, type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(engines)('the outbox on %s', (engine) => {
  let t: SubscriptionApp;
  beforeEach(async () => {
    t = await startSubscriptionApp(engine, { env: { SMTP_POOL: '4', LEASE_SECONDS: '2' } });
  });
  afterEach(async () => t.close());

  const subscribe = (email: string) =>
    t.app.inject({ method: 'POST', url: '/subscribe', headers: form, payload: `email=${email}&form=hero` });

  it('does not hold the mails behind a slow relay reply', async () => {
    t.smtp.behave({ stage: 'data', code: 250, delayMs: 8000, when: (to) => to === 'slow@example.com' });
    t.services.outbox.start();
    await subscribe('slow@example.com');
    await wait(300);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await subscribe(`${name}@example.com`);
    // The six behind it arrive while the relay is still taking its time over the first.
    await t.smtp.waitFor(6, 7000);
    expect(t.smtp.messages.map((m) => m.to && 'text' in m.to && m.to.text)).not.toContain('slow@example.com');
    await t.smtp.waitFor(7, 15_000);
    expect(t.smtp.messages.at(-1)?.to).toMatchObject({ text: 'slow@example.com' });
  }, 30_000);

  it('keeps the lease of a mail in flight, so a second process does not send it again', async () => {
    t.smtp.behave({ stage: 'data', code: 250, delayMs: 3500 });
    t.services.outbox.start();
    await subscribe('once@example.com');
    await wait(700);
    // Past the 2 s lease as it was taken: only its renewal keeps the other process away.
    t.clock.advance(3000);
    await wait(1000);
    const other = await t.openAnotherProcess();
    try {
      expect(await other.outbox.deliverDue()).toBe(0);
      await t.smtp.waitFor(1, 6000);
      await wait(300);
      expect(t.smtp.messages).toHaveLength(1);
      expect(await t.db.selectFrom('outbox').select('status').executeTakeFirst()).toEqual({ status: 'sent' });
    } finally {
      await other.close();
    }
  });

  it('lets another process take over the mail of a process that died, once the lease has run out', async () => {
    const other = await t.openAnotherProcess();
    try {
      await subscribe('orphan@example.com');
      // A claim without delivery: what a process killed mid-send leaves behind.
      const { claim } = await import('../src/delivery/outbox.js');
      expect(await claim(t.db, t.database.db.engine, t.clock.now(), 10, 2000)).toHaveLength(1);
      expect(await other.outbox.deliverDue()).toBe(0);
      t.clock.advance(2100);
      expect(await other.outbox.deliverDue()).toBe(1);
      expect(t.smtp.messages).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
