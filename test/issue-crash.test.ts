// The crash guarantee, with real processes: `errorbudget send --now` mailing 30,000 readers is killed
// with SIGKILL three times mid-send and started again. Nobody may be missing at the end, and the only
// duplicates allowed are mails the relay accepted but the dead process had not recorded yet: at most
// lanes × checkpoint interval per kill.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { openDatabase } from '../src/db/open-database.js';
import { fixtureContent, siteUrl } from './support/site-app.js';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.js';
import { testSecret } from './support/subscription-app.js';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));
const readers = 30_000;
const lanes = 8;
/** The sender's default checkpoint interval (src/delivery/issue-sender.ts). */
const checkpointEvery = 20;
const kills = 3;

describe('an issue sent by a process that is killed three times', () => {
  let dir: string;
  let sink: SmtpSink;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-crash-'));
    sink = await startSmtpSink({ keep: 'envelope' });
    const db = openDatabase(`sqlite:${join(dir, 'errorbudget.db')}`);
    await migrate(db);
    const at = '2026-11-01T00:00:00.000Z';
    await sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < ${readers})
      insert into subscribers (key, email, email_hmac, status, source, created_at, updated_at, confirmed_at)
      select 'key' || i, 'reader' || i || '@example.com', 'hmac' || i, 'active', 'test', ${at}, ${at}, ${at} from n
    `.execute(db.kysely);
    await db.close();
  });
  afterAll(async () => {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', entry, 'send', 'restore-drills', '--now'], {
      env: {
        ...process.env,
        CONTENT_DIR: fixtureContent,
        DATA_DIR: dir,
        SMTP_URL: sink.url,
        SECRET: testSecret,
        SITE_URL: siteUrl,
        SMTP_POOL: String(lanes),
        LEASE_SECONDS: '2',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });

  it('leaves nobody out and repeats at most the unrecorded mails', async () => {
    for (let kill = 0; kill < kills; kill++) {
      const child = send();
      const target = sink.received.length + 2000 + Math.floor(Math.random() * 3000);
      while (sink.received.length < target) {
        if (child.exitCode !== null) throw new Error(`send exited early with ${child.exitCode}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      child.kill('SIGKILL');
      await exited(child);
    }
    const last = send();
    let output = '';
    last.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    last.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    expect(await exited(last), output).toBe(0);

    const counts = new Map<string, number>();
    for (const r of sink.received) counts.set(r.to, (counts.get(r.to) ?? 0) + 1);
    const duplicates = sink.received.length - counts.size;
    console.log(
      `crash test: ${sink.received.length} mails accepted for ${counts.size} readers, ${duplicates} duplicates after ${kills} kills`,
    );
    expect(counts.size).toBe(readers);
    expect(duplicates).toBeLessThanOrEqual(kills * lanes * checkpointEvery);
    expect(output).toMatch(/restore-drills\s+done\s+30000\s+30000/);
  }, 240_000);

  it('stops on SIGTERM after recording the mails in flight, so the next run repeats nobody', async () => {
    sink.received.length = 0;
    const db = openDatabase(`sqlite:${join(dir, 'errorbudget.db')}`);
    try {
      await db.kysely.deleteFrom('issues').execute();
      const child = send();
      while (sink.received.length < 3000) await new Promise((resolve) => setTimeout(resolve, 10));
      const asked = Date.now();
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(Date.now() - asked).toBeLessThan(5000);
      const recorded = await db.kysely
        .selectFrom('issue_batches')
        .select((eb) => eb.fn.sum<number>('sent').as('sent'))
        .executeTakeFirstOrThrow();
      expect(Number(recorded.sent)).toBe(sink.received.length);
      expect(await exited(send())).toBe(0);
      const counts = new Set(sink.received.map((r) => r.to));
      expect(counts.size).toBe(readers);
      expect(sink.received.length).toBe(readers);
    } finally {
      await db.close();
    }
  }, 240_000);
});
