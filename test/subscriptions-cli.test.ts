import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxStatus } from '../src/db/schema.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { runCli } from './support/run-cli.js';
import { startServe, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { testSecret } from './support/subscription-app.js';

describe.each(engines)('the data commands and a restarted server on %s', (engine) => {
  let t: TestDatabase;
  let env: Record<string, string>;
  beforeEach(async () => {
    t = await createTestDatabase(engine, { migrated: false });
    env = { DATABASE_URL: t.url, DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')), SECRET: testSecret };
  });
  afterEach(async () => t.drop());

  it('delivers every queued confirmation after the process is killed and started again', async () => {
    // The relay is down while the first process runs: mails can only wait in the outbox.
    const probe = await startSmtpSink();
    const { port } = probe;
    await probe.close();
    const first = await startServe(['--content', fixtureContent], {
      ...env,
      SMTP_URL: `smtp://127.0.0.1:${port}`,
    });
    const addresses = Array.from({ length: 5 }, (_, i) => `reader${i}@example.com`);
    for (const email of addresses) {
      const response = await fetch(`${first.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, form: 'hero' }),
      });
      expect(response.status).toBe(200);
    }
    const states = async () =>
      (await t.db.kysely.selectFrom('outbox').select(['status', 'attempts']).execute()) as {
        status: OutboxStatus;
        attempts: number;
      }[];
    // Wait until each mail has failed once against the dead relay, then kill without warning.
    for (let i = 0; i < 200; i++) {
      const rows = await states();
      if (rows.length === 5 && rows.every((r) => r.status === 'queued' && r.attempts >= 1)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stopped(first.child, 'SIGKILL');
    expect((await states()).every((r) => r.status !== 'sent')).toBe(true);

    const smtp = await startSmtpSink(port);
    const second = await startServe(['--content', fixtureContent], { ...env, SMTP_URL: smtp.url });
    try {
      const mails = await smtp.waitFor(5, 30_000);
      expect(mails.map((m) => (Array.isArray(m.to) ? '' : m.to?.text)).sort()).toEqual(addresses);
      // The relay's 250 comes before the row is marked sent: give the worker its moment to record it.
      for (let i = 0; i < 100 && (await states()).some((r) => r.status !== 'sent'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect((await states()).map((r) => r.status)).toEqual(Array(5).fill('sent'));
    } finally {
      await stopped(second.child, 'SIGTERM');
      await smtp.close();
    }
  });

  it('audit verify passes on an intact ledger and names the row someone tampered with', async () => {
    const serve = await startServe(['--content', fixtureContent], env);
    try {
      for (const email of ['a@example.com', 'b@example.com']) {
        await fetch(`${serve.url}/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `email=${email}&form=newsletter`,
        });
      }
    } finally {
      await stopped(serve.child, 'SIGTERM');
    }
    const ok = await runCli(['audit', 'verify'], env);
    // At most a note (no checkpoint written yet), never a problem.
    expect(ok.stderr).toMatch(/^(errorbudget: note: [^\n]*\n)?$/);
    expect(ok.stdout).toMatch(/^ok: 4 events, chain head [0-9a-f]{64}\n$/);
    expect(ok.code).toBe(0);

    await t.db.kysely
      .updateTable('ledger_events')
      .set({ at: '2020-01-01T00:00:00.000Z' })
      .where('seq', '=', 3)
      .execute();
    const broken = await runCli(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(
      'errorbudget: consent ledger: event 3 was altered (its hash does not match its contents)\n',
    );
  });
});

describe('errorbudget migrate and mailbox', () => {
  it('migrates a new SQLite database, and keeps mail in a local mailbox when no relay is set', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'eb-data-'));
    const env = { DATA_DIR: dataDir };
    const migrated = await runCli(['migrate'], env);
    // The newest migration's name, whichever it is: each one is named by its date and a number.
    expect(migrated.stdout).toMatch(/^database is at 2026-11-2[6-9]-\d\d-[a-z-]+\n$/);
    expect((await runCli(['mailbox'], env)).stdout).toContain('is empty');

    const serve = await startServe(['--content', fixtureContent], env);
    try {
      expect(serve.output()).toContain(`mail goes to the local mailbox ${join(dataDir, 'mailbox')}`);
      await fetch(`${serve.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=local@example.com&form=hero',
      });
      let listing = '';
      for (let i = 0; i < 100 && !listing.includes('local@example.com'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        listing = (await runCli(['mailbox'], env)).stdout;
      }
      expect(listing).toMatch(
        /^ {3}1 {2}\S+ {2}local@example\.com {2}Confirm your subscription to the error budget\n$/,
      );
    } finally {
      await stopped(serve.child, 'SIGTERM');
    }
    const shown = await runCli(['mailbox', 'show', '1'], env);
    expect(shown.stdout).toContain('Subject: Confirm your subscription');
    expect(shown.stdout).toMatch(/\/confirm\/[A-Za-z0-9_-]{43}/);
    const missing = await runCli(['mailbox', 'show', '7'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('errorbudget: mailbox: no mail number 7 (there are 1)\n');
  });
});
