// Old mail never goes out again: the outbox gives up mail still waiting a day after it was queued, and
// an issue that was sending when a backup was taken waits for a person after the restore.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/open-database.js';
import { enqueue } from '../src/delivery/outbox.js';
import { engines } from './support/databases.js';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app.js';
import { FakeClock } from './support/fake-clock.js';
import { runCli } from './support/run-cli.js';
import { stopped } from './support/serve-process.js';
import { fixtureContent, siteUrl } from './support/site-app.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { testSecret } from './support/subscription-app.js';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));

const mail = (to: string) => ({
  to,
  subject: 'Confirm your subscription',
  html: '<p>Confirm</p>',
  text: 'Confirm',
  headers: {},
});

describe.each(engines)('the outbox on %s', (engine) => {
  let app: DeliveryApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('marks mail still waiting a day after it was queued as failed, and sends the rest', async () => {
    const clock = new FakeClock('2026-11-25T10:00:00Z');
    app = await startDeliveryApp(engine, { clock });
    const { db } = app;
    await enqueue(db, {
      kind: 'confirm',
      subscriberId: null,
      message: mail('old@example.com'),
      domain: 'errorbudget.test',
      now: clock.now(),
    });
    clock.advance(25 * 3600_000);
    await enqueue(db, {
      kind: 'confirm',
      subscriberId: null,
      message: mail('new@example.com'),
      domain: 'errorbudget.test',
      now: clock.now(),
    });
    await app.services.outbox.deliverDue();
    expect(app.smtp.received.map((r) => r.to)).toEqual(['new@example.com']);
    const old = await db
      .selectFrom('outbox')
      .select(['status', 'last_error'])
      .where('recipient', '=', 'old@example.com')
      .executeTakeFirstOrThrow();
    expect(old.status).toBe('failed');
    expect(old.last_error).toMatch(/^gave up: still waiting a day after it was queued/);
  });
});

describe('an issue that was sending when the backup was taken', () => {
  let dir: string | undefined;
  let app: DeliveryApp | undefined;
  afterEach(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    app = undefined;
  });

  it('waits for a person after the restore, and the restored worker mails nobody', async () => {
    app = await startDeliveryApp('sqlite');
    await app.addManyReaders(40);
    const issue = await app.startIssue('restore-drills');
    expect(issue.state).toBe('sending');
    dir = await mkdtemp(join(tmpdir(), 'eb-restore-issue-'));
    const archive = join(dir, 'backup.tar.gz');
    const base = { CONTENT_DIR: fixtureContent, SECRET: testSecret, SITE_URL: siteUrl };
    const backup = await runCli(['backup', archive], {
      ...base,
      DATA_DIR: app.config.dataDir,
      DATABASE_URL: app.database.url,
    });
    expect(backup.code, backup.stderr).toBe(0);

    const fresh = { ...base, DATA_DIR: join(dir, 'fresh') };
    const restored = await runCli(['restore', archive], fresh);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('issue restore-drills was sending at the time of the backup; it waits');

    const sink = await startSmtpSink({ keep: 'envelope' });
    const worker = spawn(process.execPath, ['--import', 'tsx', entry, 'worker', '--no-watch'], {
      env: { ...process.env, ...fresh, SMTP_URL: sink.url, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 4000));
      expect(sink.received).toEqual([]);
    } finally {
      await stopped(worker, 'SIGTERM');
      await sink.close();
    }
    const db = openDatabase(`sqlite:${join(fresh.DATA_DIR, 'errorbudget.db')}`);
    try {
      const row = await db.kysely
        .selectFrom('issues')
        .select(['state', 'hold_reason'])
        .where('note_slug', '=', 'restore-drills')
        .executeTakeFirstOrThrow();
      expect(row.state).toBe('held');
      expect(row.hold_reason).toMatch(
        /^restored from a backup of \d{4}-\d\d-\d\dT.*may have been mailed since/,
      );
    } finally {
      await db.close();
    }
  }, 60_000);
});
