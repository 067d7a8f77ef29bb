import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listIssues } from '../src/delivery/issue-progress.js';
import { cancelIssue, holdStalledIssues, pauseIssue, resumeIssue } from '../src/delivery/issue-store.js';
import { engines } from './support/databases.js';
import { type DeliveryApp, startDeliveryApp, testTls } from './support/delivery-app.js';
import type { FakeClock } from './support/fake-clock.js';
import { copyOfFixtureContent } from './support/site-app.js';

const readers = (n: number, prefix = 'r') =>
  Array.from({ length: n }, (_, i) => ({
    email: `${prefix}${i + 1}@example.com`,
    status: 'active' as const,
  }));

describe.each(engines)('issues on %s', (engine) => {
  let t: DeliveryApp;
  afterEach(async () => t?.close());

  it('mails a note at its publish time to every confirmed reader once, and to nobody else', async () => {
    t = await startDeliveryApp(engine);
    await t.addReaders([
      ...readers(4),
      { email: 'pending@example.com', status: 'pending' },
      { email: 'left@example.com', status: 'unsubscribed' },
      { email: 'bounced@example.com', status: 'suppressed' },
    ]);
    await t.services.startWorkers();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      await t.db.selectFrom('issues').select('state').where('note_slug', '=', 'next-week').execute(),
    ).toEqual([]);
    // The note's time comes: the running workers create its issue and mail it, with nobody asking.
    const clock = t.clock as FakeClock;
    clock.set('2026-11-27T09:00:05Z');
    await t.smtp.waitForReceived(4);
    await waitUntil(async () => (await listIssues(t.db, clock.now()))[0]?.issue.state === 'done');
    expect((await t.schedule()).started).toEqual([]);

    expect(Object.fromEntries(t.deliveries())).toEqual({
      'r1@example.com': 1,
      'r2@example.com': 1,
      'r3@example.com': 1,
      'r4@example.com': 1,
    });
    const [progress] = await listIssues(t.db, clock.now());
    expect(progress).toMatchObject({ sent: 4, failed: 0, retrying: 0, remaining: 0 });
    expect(progress?.issue).toMatchObject({ note_slug: 'next-week', state: 'done', recipients: 4 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.smtp.received).toHaveLength(4);
  });

  it('puts the headers a mail client needs in every mail, with the reader’s own links', async () => {
    t = await startDeliveryApp(engine);
    await t.addReaders(readers(2));
    const issue = await t.startIssue('restore-drills');
    await t.services.issues.sendAll();
    const mails = await t.smtp.waitFor(2);
    const first = t.smtp.received.find((r) => r.to === 'r1@example.com');
    const mail = first?.mail;
    if (!first || !mail) throw new Error('no mail for r1');
    expect(mail.subject).toBe('Restore drills: the only backup metric that matters');
    const header = (name: string) =>
      (mail.headerLines.find((h) => h.key === name)?.line ?? '').replace(/\r?\n[ \t]+/g, ' ');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const unsubscribe = /<(https:\/\/errorbudget\.test\/unsubscribe\/[^>]+)>, <mailto:(u\+[^>]+)>/.exec(
      header('list-unsubscribe'),
    );
    expect(unsubscribe).not.toBeNull();
    expect(header('list-id')).toContain('<newsletter.errorbudget.test>');
    const ref = { kind: 'issue', issueId: issue.id, subscriberId: 1 } as const;
    expect(mail.messageId).toBe(t.services.verp.messageId(ref, 'errorbudget.test'));
    expect(t.services.verp.parseReturnPath(first.from)).toEqual(ref);
    const links = t.services.subscriptions.personalLinks('k000000000000000000000');
    expect(unsubscribe?.[1]).toBe(links.unsubscribeUrl);
    expect(mail.html).toContain(`href="${links.manageUrl}"`);
    expect(mail.text).toContain(links.unsubscribeUrl);
    expect(mail.html).not.toContain('{{');
    // The other reader's mail carries their own links, not the first one's.
    const other = mails.find((m) => m !== mail);
    expect(other?.html).not.toContain(links.manageUrl);
  });

  it('judges each refusal by its stage: a dead mailbox is suppressed, a busy one and a policy reply are retried', async () => {
    t = await startDeliveryApp(engine, { env: { SMTP_POOL: '1' } });
    await t.addReaders(readers(6));
    t.smtp.behave(
      {
        stage: 'rcpt',
        code: 550,
        text: '5.1.1 <r2@example.com>: no such user',
        when: (to) => to === 'r2@example.com',
      },
      { stage: 'rcpt', code: 451, text: '4.2.0 try later', count: 1, when: (to) => to === 'r3@example.com' },
      {
        stage: 'data',
        code: 554,
        text: '5.7.1 message refused as spam',
        count: 1,
        when: (to) => to === 'r4@example.com',
      },
    );
    const issue = await t.startIssue();
    await t.services.issues.sendAll();
    expect([...t.deliveries().keys()].sort()).toEqual(['r1@example.com', 'r5@example.com', 'r6@example.com']);
    expect(await t.status('r2@example.com')).toBe('suppressed');
    expect(await t.status('r3@example.com')).toBe('active');
    expect(await t.status('r4@example.com')).toBe('active');
    const suppressed = await t.db
      .selectFrom('ledger_events')
      .select(['kind', 'detail'])
      .where('kind', '=', 'suppressed')
      .execute();
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]?.detail).not.toContain('@');
    const bounces = await t.db.selectFrom('bounce_events').selectAll().execute();
    expect(bounces).toMatchObject([
      { subscriber_id: 2, issue_id: issue.id, class: 'hard', source: 'smtp', status: '5.1.1' },
    ]);
    expect(bounces[0]?.diagnostic).toContain('[address]');

    (t.clock as FakeClock).advance(10_000);
    await t.services.issues.sendAll();
    expect(Object.fromEntries(t.deliveries())).toEqual({
      'r1@example.com': 1,
      'r3@example.com': 1,
      'r4@example.com': 1,
      'r5@example.com': 1,
      'r6@example.com': 1,
    });
    const [progress] = await listIssues(t.db, t.clock.now());
    expect(progress).toMatchObject({ sent: 5, failed: 1, retrying: 0, bounced: 1 });
    expect(progress?.issue.state).toBe('done');
  });

  it('never suppresses readers when the relay refuses the sender, and sends to all once it takes mail again', async () => {
    t = await startDeliveryApp(engine, { env: { SMTP_POOL: '2' } });
    await t.addReaders(readers(100));
    t.smtp.behave({ stage: 'mail', code: 550, text: '5.7.1 sender address rejected' });
    await t.startIssue();
    const sending = t.services.issues.sendAll();
    const lastError = async () => (await listIssues(t.db, t.clock.now()))[0]?.issue.last_error;
    await waitUntil(async () => (await lastError()) != null);
    expect(await lastError()).toContain('5.7.1 sender address rejected');
    // The relay refuses us, not the readers: the send stops (only the mails already in flight on the
    // two connections wait for a retry) rather than deferring the whole list.
    const deferred = await t.db.selectFrom('issue_exceptions').selectAll().execute();
    expect(deferred.length).toBeLessThanOrEqual(2 * 20);
    for (const { email } of readers(100)) expect(await t.status(email)).toBe('active');
    expect(await t.db.selectFrom('bounce_events').selectAll().execute()).toEqual([]);

    t.smtp.behave();
    await sending;
    expect(await lastError()).toBeNull();
    (t.clock as FakeClock).advance(10_000);
    await t.services.issues.sendAll();
    expect(Object.fromEntries(t.deliveries())).toEqual(
      Object.fromEntries(readers(100).map((r) => [r.email, 1])),
    );
  });

  it('suppresses nobody when the relay refuses our password, and says why', async () => {
    t = await startDeliveryApp(engine, {
      sink: { auth: { user: 'news', pass: 'right' }, tls: testTls },
      relayUrl: (url) => url.replace(':right@', ':wrong@'),
    });
    await t.addReaders(readers(3));
    await t.startIssue();
    const sending = t.services.issues.sendAll();
    await waitUntil(async () => (await listIssues(t.db, t.clock.now()))[0]?.issue.last_error !== null);
    const [progress] = await listIssues(t.db, t.clock.now());
    expect(progress?.issue.last_error).toMatch(/auth: 535/);
    expect(t.smtp.received).toHaveLength(0);
    for (const { email } of readers(3)) expect(await t.status(email)).toBe('active');
    await pauseIssue(t.db, t.database.db.engine, 'restore-drills');
    await sending;
  });

  it('sends again from the cursor when the relay drops the connection or closes with 421, without losing or repeating anyone', async () => {
    t = await startDeliveryApp(engine, { env: { SMTP_POOL: '1' } });
    await t.addReaders(readers(8));
    t.smtp.behave(
      { stage: 'rcpt', code: 0, drop: true, count: 1, when: (to) => to === 'r5@example.com' },
      {
        stage: 'rcpt',
        code: 421,
        text: '4.3.2 shutting down',
        count: 1,
        when: (to) => to === 'r7@example.com',
      },
    );
    await t.startIssue();
    await t.services.issues.sendAll();
    expect(Object.fromEntries(t.deliveries())).toEqual(
      Object.fromEntries(readers(8).map((r) => [r.email, 1])),
    );
  });

  it('pauses within a second and resumes twice without sending anyone the issue twice', async () => {
    t = await startDeliveryApp(engine, {
      sink: { keep: 'envelope' },
      env: { SMTP_POOL: '4', SEND_RATE: '800' },
    });
    await t.addManyReaders(3000);
    await t.startIssue();
    t.services.issues.start();
    for (let round = 0; round < 2; round++) {
      await waitUntil(() => t.smtp.received.length > 500 * (round + 1));
      const paused = await pauseIssue(t.db, t.database.db.engine, 'restore-drills');
      expect(paused.ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const atPause = t.smtp.received.length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(t.smtp.received.length).toBe(atPause);
      expect(atPause).toBeLessThan(3000);
      expect((await resumeIssue(t.db, t.database.db.engine, 'restore-drills', t.clock.now())).ok).toBe(true);
      t.services.issues.wake();
    }
    await waitUntil(() => t.smtp.received.length >= 3000, 30_000);
    await waitUntil(async () => (await listIssues(t.db, t.clock.now()))[0]?.issue.state === 'done');
    const counts = t.deliveries();
    expect(counts.size).toBe(3000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(engines)('the issue schedule on %s', (engine) => {
  let t: DeliveryApp;
  afterEach(async () => t?.close());

  it('holds notes published more than a day before it looked, until a person sends them', async () => {
    t = await startDeliveryApp(engine);
    await t.addReaders(readers(2));
    // While the site still renders its notes, late notes are left for a later tick.
    expect(await t.schedule(() => false)).toEqual({ started: [], held: [] });
    expect(await listIssues(t.db, t.clock.now())).toEqual([]);
    expect(await t.schedule()).toEqual({ started: [], held: ['restore-drills', 'capacity-planning'] });
    await t.services.issues.sendAll();
    expect(t.smtp.received).toHaveLength(0);
    const held = await listIssues(t.db, t.clock.now());
    expect(held.map((r) => [r.issue.note_slug, r.issue.state])).toEqual([
      ['capacity-planning', 'held'],
      ['restore-drills', 'held'],
    ]);
    expect(held[0]?.issue.hold_reason).toContain('errorbudget send capacity-planning --now');
    await t.startIssue('restore-drills');
    await t.services.issues.sendAll();
    expect(Object.fromEntries(t.deliveries())).toEqual({ 'r1@example.com': 1, 'r2@example.com': 1 });
  });

  it('leaves the issues it has not made yet for the next start when the process stops, each made once', async () => {
    t = await startDeliveryApp(engine);
    // The process is told to stop while the first of the two held issues is being made.
    let asked = 0;
    expect(await t.schedule(undefined, () => asked++ > 0)).toEqual({ started: [], held: ['restore-drills'] });
    expect(await t.schedule()).toEqual({ started: [], held: ['capacity-planning'] });
    expect(await t.schedule()).toEqual({ started: [], held: [] });
    const held = await listIssues(t.db, t.clock.now());
    expect(held.map((r) => r.issue.note_slug).sort()).toEqual(['capacity-planning', 'restore-drills']);
  });

  it('publishes a note with newsletter: false without mailing it', async () => {
    const content = await copyOfFixtureContent();
    const note = join(content, 'notes', 'next-week.md');
    await writeFile(note, (await readFile(note, 'utf8')).replace('topics:', 'newsletter: false\ntopics:'));
    t = await startDeliveryApp(engine, { contentDir: content });
    await t.addReaders(readers(2));
    (t.clock as FakeClock).set('2026-11-27T09:00:05Z');
    await t.live.refresh();
    expect(t.live.current.published.map((n) => n.slug)).toContain('next-week');
    expect((await t.schedule()).started).toEqual([]);
    expect(
      await t.db.selectFrom('issues').select('note_slug').where('note_slug', '=', 'next-week').execute(),
    ).toEqual([]);
  });

  it('waits for a person when an issue made no progress for a day, as after restoring an old backup', async () => {
    t = await startDeliveryApp(engine);
    await t.addReaders(readers(3));
    await t.startIssue('restore-drills');
    (t.clock as FakeClock).advance(25 * 3600_000);
    expect(await holdStalledIssues(t.db, t.clock.now())).toEqual(['restore-drills']);
    await t.services.issues.sendAll();
    expect(t.smtp.received).toHaveLength(0);
    await t.startIssue('restore-drills');
    expect(await holdStalledIssues(t.db, t.clock.now())).toEqual([]);
    await t.services.issues.sendAll();
    expect(t.smtp.received).toHaveLength(3);
  });

  it('stops for good when an issue is cancelled', async () => {
    t = await startDeliveryApp(engine, {
      sink: { keep: 'envelope' },
      env: { SMTP_POOL: '2', SEND_RATE: '500' },
    });
    await t.addManyReaders(1500);
    await t.startIssue();
    t.services.issues.start();
    await waitUntil(() => t.smtp.received.length > 200);
    expect((await cancelIssue(t.db, t.database.db.engine, 'restore-drills', t.clock.now())).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const atCancel = t.smtp.received.length;
    expect(atCancel).toBeLessThan(1500);
    expect((await resumeIssue(t.db, t.database.db.engine, 'restore-drills', t.clock.now())).ok).toBe(false);
    t.services.issues.wake();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.smtp.received.length).toBe(atCancel);
    const [row] = await listIssues(t.db, t.clock.now());
    expect(row?.issue.state).toBe('cancelled');
  });
});

describe.runIf(engines.includes('postgres'))('two workers on one PostgreSQL database', () => {
  let t: DeliveryApp;
  afterEach(async () => t?.close());

  it('share one issue without sending anyone the issue twice', async () => {
    t = await startDeliveryApp('postgres', { sink: { keep: 'envelope' }, env: { SMTP_POOL: '4' } });
    await t.addManyReaders(6000);
    await t.startIssue();
    const second = await t.openAnotherProcess();
    try {
      await Promise.all([t.services.issues.sendAll(), second.issues.sendAll()]);
    } finally {
      await second.close();
    }
    const counts = t.deliveries();
    expect(counts.size).toBe(6000);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    const workers = await t.db.selectFrom('issue_batches').select('sent').execute();
    expect(workers.reduce((sum, b) => sum + b.sent, 0)).toBe(6000);
  });
});
