// The writer's mail commands, run as a person runs them: send --test, send --now, issues, pause, resume,
// cancel, and the one-line errors for what cannot be sent.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { type Db, openDatabase } from '../src/db/open-database.js';
import { createIssue } from '../src/delivery/issue-store.js';
import { runCli } from './support/run-cli.js';
import { fixtureContent, siteUrl } from './support/site-app.js';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { testSecret } from './support/subscription-app.js';

describe('the mail commands', () => {
  let dir: string;
  let db: Db;
  let sink: SmtpSink;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-issues-cli-'));
    db = openDatabase(`sqlite:${join(dir, 'errorbudget.db')}`);
    await migrate(db);
    const at = '2026-11-01T00:00:00.000Z';
    await sql`
      insert into subscribers (key, email, email_hmac, status, source, created_at, updated_at, confirmed_at)
      values ('k1', 'one@example.com', 'h1', 'active', 'test', ${at}, ${at}, ${at}),
             ('k2', 'two@example.com', 'h2', 'active', 'test', ${at}, ${at}, ${at}),
             ('k3', 'gone@example.com', 'h3', 'unsubscribed', 'test', ${at}, ${at}, ${at})
    `.execute(db.kysely);
    sink = await startSmtpSink();
    env = {
      CONTENT_DIR: fixtureContent,
      DATA_DIR: dir,
      SECRET: testSecret,
      SITE_URL: siteUrl,
      SMTP_URL: sink.url,
    };
  });
  afterEach(async () => {
    await db.close();
    await sink.close();
  });

  it('sends a marked test copy to one address, and nobody else', async () => {
    const result = await runCli(['send', 'restore-drills', '--test', 'Writer@Example.com'], env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('sent a test copy of "[Test] Restore drills');
    expect(result.code).toBe(0);
    const [mail] = await sink.waitFor(1);
    expect(mail?.subject).toBe('[Test] Restore drills: the only backup metric that matters');
    expect(sink.received.map((r) => r.to)).toEqual(['Writer@example.com']);
    expect(await db.kysely.selectFrom('issues').selectAll().execute()).toEqual([]);
  });

  it('writes the test copy to the local mailbox when no relay is configured', async () => {
    const { SMTP_URL: _relay, ...local } = env;
    expect((await runCli(['send', 'restore-drills', '--test', 'me@example.com'], local)).code).toBe(0);
    const listed = await runCli(['mailbox'], local);
    expect(listed.stdout).toContain('me@example.com  [Test] Restore drills');
  });

  it('sends a note now to every confirmed reader once, and says so when asked again', async () => {
    const first = await runCli(['send', 'restore-drills', '--now'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/restore-drills\s+done\s+2\s+2\s+0\s+0\s+0/);
    expect(sink.received.map((r) => r.to).sort()).toEqual(['one@example.com', 'two@example.com']);
    const again = await runCli(['send', 'restore-drills', '--now'], env);
    expect(again.stdout).toContain('restore-drills: already sent (2 readers); nobody is mailed twice');
    expect(sink.received).toHaveLength(2);
    const listed = await runCli(['issues'], env);
    expect(listed.stdout).toMatch(
      /^issue\s+state\s+readers\s+sent\s+failed\s+retrying\s+bounced\s+rate\/s\s+eta\n/,
    );
    expect(listed.stdout).toMatch(/restore-drills\s+done\s+2\s+2\s+0\s+0\s+0/);
  });

  it.each([
    [
      ['send', 'restore-drills'],
      'send: say --now to mail it to every confirmed reader, or --test ADDRESS for a test copy',
    ],
    [
      ['send', 'next-week', '--now'],
      'next-week: is not published yet: it goes out by itself at 2026-11-27T09:00:00.000Z',
    ],
    [['send', 'unfinished', '--now'], 'unfinished: is a draft: publish it first (remove draft: true)'],
    [['send', 'nope', '--now'], 'nope: no note has the slug "nope" (see content/notes/)'],
    [['send', 'restore-drills', '--test', 'not-an-address'], '--test: An email address has exactly one @'],
    [['pause', 'restore-drills'], 'pause: there is no issue for "restore-drills"'],
  ])('refuses %j in one line', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(1);
    expect(result.stderr.startsWith(`errorbudget: ${message}`), result.stderr).toBe(true);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(sink.received).toHaveLength(0);
  });

  it('pauses, resumes and cancels an issue, and a cancelled one stays cancelled', async () => {
    await createIssue(
      db.kysely,
      {
        slug: 'capacity-planning',
        subject: 'Capacity planning',
        summary: 's',
        noteUrl: `${siteUrl}/notes/capacity-planning`,
        html: '<p>x</p>',
        text: 'x',
        publishedAt: new Date('2026-11-06T09:00:00Z'),
      },
      new Date(),
      'published long ago',
    );
    const run = async (...args: string[]) => {
      const result = await runCli(args, env);
      return `${result.code} ${result.stdout}${result.stderr}`.trim();
    };
    expect(await run('issues')).toContain('capacity-planning: waits for a person: published long ago');
    expect(await run('pause', 'capacity-planning')).toBe(
      '1 errorbudget: pause: the issue "capacity-planning" is held',
    );
    expect(await run('cancel', 'capacity-planning')).toBe('0 capacity-planning: cancelled');
    expect(await run('resume', 'capacity-planning')).toBe(
      '1 errorbudget: resume: the issue "capacity-planning" is cancelled',
    );
    expect(sink.received).toHaveLength(0);
  });
});
