// Mail that comes back, end to end: an issue is sent, then reports arrive at the bounce listener as an
// MTA would deliver them, and each has its consequence on the reader.
import { afterEach, describe, expect, it } from 'vitest';
import type { MailRef } from '../src/delivery/verp.js';
import { bounceSample, sendReport } from './support/bounce-samples.js';
import { engines } from './support/databases.js';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app.js';
import type { FakeClock } from './support/fake-clock.js';

describe.each(engines)('bounces and complaints on %s', (engine) => {
  let t: DeliveryApp;
  let port: number;
  afterEach(async () => t?.close());

  async function start() {
    t = await startDeliveryApp(engine, {
      env: { BOUNCE_SMTP_PORT: '0', BOUNCE_DOMAIN: 'bounces.errorbudget.test' },
    });
    const started = await t.services.startWorkers();
    port = started.bouncePort ?? 0;
    // The workers started above would race the test's own sends: only the listener is wanted running.
    await t.services.issues.stop();
    await t.services.scheduler.stop();
  }
  const ledger = async () =>
    (await t.db.selectFrom('ledger_events').select(['kind', 'detail']).orderBy('seq').execute()).map(
      (e) => `${e.kind} ${e.detail}`,
    );
  const report = (sample: string, mail: MailRef, to = t.services.verp.returnPath(mail)) =>
    sendReport(port, bounceSample(sample, t.services.verp, mail, 'errorbudget.test'), to);

  it('suppresses a dead mailbox, unsubscribes a complaint, and keeps a reader refused for policy', async () => {
    await start();
    await t.addReaders(
      ['dead', 'angry', 'dmarc'].map((n) => ({ email: `${n}@example.com`, status: 'active' })),
    );
    const issue = await t.startIssue();
    await t.services.issues.sendAll();
    const mail = (subscriberId: number): MailRef => ({ kind: 'issue', issueId: issue.id, subscriberId });

    await report('postfix-5.1.1', mail(1));
    await report('arf-abuse', mail(2));
    await report('gmail-two-recipients', mail(3));
    expect(await t.status('dead@example.com')).toBe('suppressed');
    expect(await t.status('angry@example.com')).toBe('suppressed');
    expect(await t.status('dmarc@example.com')).toBe('active');
    const events = await ledger();
    expect(events.filter((e) => e.startsWith('suppressed'))).toHaveLength(2);
    expect(events.some((e) => e.startsWith('unsubscribed') && e.includes('complaint'))).toBe(true);
    expect(events.join('\n')).not.toMatch(/[a-z]@[a-z]/);
    const bounces = await t.db
      .selectFrom('bounce_events')
      .select(['subscriber_id', 'class', 'source'])
      .orderBy('id')
      .execute();
    expect(bounces).toEqual([
      { subscriber_id: 1, class: 'hard', source: 'dsn' },
      { subscriber_id: 2, class: 'complaint', source: 'arf' },
      { subscriber_id: 3, class: 'policy', source: 'dsn' },
    ]);
  });

  it('refuses a report for a forged return path and changes nothing', async () => {
    await start();
    await t.addReaders([{ email: 'safe@example.com', status: 'active' }]);
    const issue = await t.startIssue();
    const forged = t.services.verp
      .returnPath({ kind: 'issue', issueId: issue.id, subscriberId: 1 })
      .replace(/-[0-9a-f]{16}@/, '-0123456789abcdef@');
    await expect(
      report('postfix-5.1.1', { kind: 'issue', issueId: issue.id, subscriberId: 1 }, forged),
    ).rejects.toThrow(/550/);
    expect(await t.status('safe@example.com')).toBe('active');
    expect(await t.db.selectFrom('bounce_events').selectAll().execute()).toEqual([]);
  });

  it('suppresses after soft bounces on three issues in a row, not before', async () => {
    await start();
    await t.addReaders([{ email: 'full@example.com', status: 'active' }]);
    const slugs = ['capacity-planning', 'restore-drills', 'next-week'];
    (t.clock as FakeClock).set('2026-11-27T10:00:00Z');
    for (const [i, slug] of slugs.entries()) {
      const issue = await t.startIssue(slug);
      await report('delayed-4.2.2', { kind: 'issue', issueId: issue.id, subscriberId: 1 });
      expect(await t.status('full@example.com')).toBe(i < 2 ? 'active' : 'suppressed');
    }
  });

  it('unsubscribes a reader who mails the List-Unsubscribe address, and nobody for a forged one', async () => {
    await start();
    await t.addReaders([{ email: 'leaving@example.com', status: 'active' }]);
    await t.startIssue();
    await t.services.issues.sendAll();
    const header = t.smtp.received[0]?.mail?.headerLines.find((h) => h.key === 'list-unsubscribe')?.line;
    const mailto = /<mailto:([^>]+)>/.exec(header ?? '')?.[1] ?? '';
    expect(mailto).toMatch(/^u\+.+@bounces\.errorbudget\.test$/);
    const forged = mailto.replace(/\.[A-Za-z0-9_-]+@/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@');
    await expect(sendReport(port, 'Subject: unsubscribe\r\n\r\nplease\r\n', forged)).rejects.toThrow(/550/);
    expect(await t.status('leaving@example.com')).toBe('active');
    await sendReport(port, 'Subject: unsubscribe\r\n\r\nplease\r\n', mailto);
    expect(await t.status('leaving@example.com')).toBe('unsubscribed');
  });
});
