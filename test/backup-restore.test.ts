// Backup and restore with real processes: `errorbudget backup` while `serve` takes a load of
// subscribes, then `errorbudget restore` into a fresh data folder (a dropped schema on PostgreSQL). The
// restored site has the manifest's counts, a ledger that verifies, and sends nothing a second time.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/open-database.js';
import { createTestDatabase, engines } from './support/databases.js';
import { runCli } from './support/run-cli.js';
import { startServe, stopped } from './support/serve-process.js';
import { fixtureContent, siteUrl } from './support/site-app.js';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.js';

const addresses = 120;

async function subscribeAll(url: string, emails: string[], concurrency: number, onAnswer: () => void) {
  const answered: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < emails.length) {
      const email = emails[next++] as string;
      const answer = await fetch(`${url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email, form: 'newsletter' }),
      });
      if (answer.status === 200) answered.push(email);
      onAnswer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return answered;
}

function manifestOf(archive: string): { counts: Record<string, number>; createdAt: string } {
  return JSON.parse(execFileSync('tar', ['-xzOf', archive, 'manifest.json'], { encoding: 'utf8' }));
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(engines)('backup and restore on %s', (engine) => {
  let dir: string;
  let sink: SmtpSink;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-backup-'));
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('backs up while subscribes run, and the restore into a fresh folder matches, verifies and re-sends nothing', async () => {
    const database = await createTestDatabase(engine);
    await database.db.close();
    const dataDir = join(dir, 'live');
    const env = {
      DATA_DIR: dataDir,
      CONTENT_DIR: fixtureContent,
      SITE_URL: siteUrl,
      SMTP_URL: sink.url,
      SUBSCRIBE_RATE_LIMIT: '10000',
      ...(engine === 'postgres' ? { DATABASE_URL: database.url } : {}),
    };
    const serve = await startServe([], env);
    const archive = join(dir, 'site.tar.gz');
    try {
      const emails = Array.from(
        { length: addresses },
        (_, i) => `reader${i}-${randomBytes(3).toString('hex')}@example.com`,
      );
      let answers = 0;
      let backup: ReturnType<typeof runCli> | undefined;
      const answered = await subscribeAll(serve.url, emails, 6, () => {
        answers += 1;
        if (answers === 30) backup = runCli(['backup', archive], env, 60_000);
      });
      const result = await (backup as ReturnType<typeof runCli>);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^backup written to .*site\.tar\.gz: /);
      expect(statSync(archive).mode & 0o777).toBe(0o600);
      expect(answered).toHaveLength(addresses);
      await waitFor(() => sink.messages.length >= addresses, 60_000, 'every confirmation');
      const recipients = sink.messages.map((m) => m.to && 'text' in m.to && m.to.text);
      expect(new Set(recipients).size).toBe(addresses);
    } finally {
      await stopped(serve.child, 'SIGTERM');
    }

    const manifest = manifestOf(archive);
    expect(manifest.counts.subscribers).toBeGreaterThan(0);
    expect(manifest.counts.ledger_events).toBeGreaterThan(0);

    // The machine is lost: a fresh data folder, and on PostgreSQL the schema is gone.
    if (database.schema) await dropSchema(database.schema);
    const freshDir = join(dir, 'fresh');
    const freshEnv = { ...env, DATA_DIR: freshDir };
    const restored = await runCli(['restore', archive], freshEnv, 60_000);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('counts match the manifest');
    expect(restored.stdout).toMatch(/audit verify: ok, \d+ events/);
    expect(readFileSync(join(freshDir, 'secret'), 'utf8')).toBe(
      readFileSync(join(dataDir, 'secret'), 'utf8'),
    );

    const db = openDatabase(
      engine === 'postgres' ? database.url : `sqlite:${join(freshDir, 'errorbudget.db')}`,
    );
    try {
      const subscribers = await db.kysely
        .selectFrom('subscribers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(subscribers.n)).toBe(manifest.counts.subscribers);
      const waiting = await db.kysely
        .selectFrom('outbox')
        .select('id')
        .where('status', 'in', ['queued', 'sending'])
        .execute();
      expect(waiting).toEqual([]);
    } finally {
      await db.close();
    }
    expect((await runCli(['audit', 'verify'], freshEnv)).code).toBe(0);

    // The restored site runs its workers: nothing that went out before goes out again.
    const before = sink.messages.length;
    const again = await startServe([], freshEnv);
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(sink.messages.length).toBe(before);
    } finally {
      await stopped(again.child, 'SIGTERM');
    }
    if (database.schema) await dropSchema(database.schema);
  }, 180_000);

  it('refuses to replace a database without --force, and keeps the one it replaces with --force', async () => {
    const dataDir = join(dir, 'force');
    const env = { DATA_DIR: dataDir, CONTENT_DIR: fixtureContent };
    if (engine === 'postgres') return; // the SQLite file is what is kept aside; PostgreSQL is covered above
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const archive = join(dir, 'force.tar.gz');
    expect((await runCli(['backup', archive], env)).code).toBe(0);
    const refused = await runCli(['restore', archive], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^errorbudget: .*would replace the database of DATABASE_URL: stop serve and worker, then restore with --force .*nothing was changed\n$/,
    );
    const forced = await runCli(['restore', archive, '--force'], env);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    const kept = /kept what it replaced as (\S+)/.exec(forced.stdout)?.[1] ?? '';
    expect(kept).toContain('errorbudget.db.before-restore-');
    expect(existsSync(kept)).toBe(true);
  }, 60_000);
});

describe.skipIf(!engines.includes('postgres'))('restore over a PostgreSQL database', () => {
  it('explains pg_dump when it is missing, refuses to restore without --force, and with it brings the tables back to the backup', async () => {
    const database = await createTestDatabase('postgres');
    const dir = await mkdtemp(join(tmpdir(), 'eb-backup-pg-'));
    try {
      const env = { DATA_DIR: join(dir, 'data'), CONTENT_DIR: fixtureContent, DATABASE_URL: database.url };
      const archive = join(dir, 'pg.tar.gz');
      expect((await runCli(['backup', archive], env)).code).toBe(0);
      const at = new Date().toISOString();
      await database.db.kysely
        .insertInto('subscribers')
        .values({
          key: 'later',
          email: 'later@example.com',
          email_hmac: 'hlater',
          status: 'active',
          source: 'test',
          created_at: at,
          updated_at: at,
          confirmed_at: at,
        })
        .execute();
      const noTools = await runCli(['backup', join(dir, 'no-tools.tar.gz')], {
        ...env,
        PATH: '/nonexistent',
      });
      expect(noTools.code).toBe(1);
      expect(noTools.stderr).toMatch(
        /^errorbudget: pg_dump is not on the PATH\. A PostgreSQL database is backed up with pg_dump and restored with pg_restore \(Debian: apt-get install postgresql-client.*\n$/,
      );
      expect(existsSync(join(dir, 'no-tools.tar.gz'))).toBe(false);
      const refused = await runCli(['restore', archive], env);
      expect([refused.code, refused.stderr]).toEqual([
        1,
        expect.stringContaining('would replace the database of DATABASE_URL'),
      ]);
      const forced = await runCli(['restore', archive, '--force'], env);
      expect(forced.stderr).toBe('');
      expect(forced.code).toBe(0);
      const rows = await database.db.kysely.selectFrom('subscribers').select('email').execute();
      expect(rows).toEqual([]);
    } finally {
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a damaged or foreign archive', () => {
  let dir: string;
  let archive: string;
  const env = () => ({ DATA_DIR: join(dir, 'data'), CONTENT_DIR: fixtureContent });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-backup-bad-'));
    expect((await runCli(['migrate'], env())).code).toBe(0);
    archive = join(dir, 'good.tar.gz');
    expect((await runCli(['backup', archive], env())).code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [
      'a folder that does not exist',
      () => join(dir, 'missing', 'x.tar.gz'),
      /x\.tar\.gz: cannot write into its folder \(ENOENT/,
    ],
    [
      'an existing file',
      () => archive,
      /good\.tar\.gz: exists already; choose a new name, or add --force to replace it/,
    ],
  ])('refuses to back up into %s with one line', async (_name, target, message) => {
    const result = await runCli(['backup', target()], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses to back up where there is no database yet', async () => {
    const empty = join(dir, 'empty');
    const result = await runCli(['backup', join(dir, 'empty.tar.gz')], {
      DATA_DIR: empty,
      CONTENT_DIR: fixtureContent,
    });
    expect([result.code, result.stderr]).toEqual([
      1,
      'errorbudget: DATABASE_URL: holds no errorbudget database yet: start serve or run migrate first\n',
    ]);
    expect(existsSync(join(dir, 'empty.tar.gz'))).toBe(false);
  });

  const damaged: [string, (good: Buffer, work: string) => Buffer, RegExp][] = [
    [
      'a flipped byte',
      (good) => flip(good, Math.floor(good.length / 2)),
      /is damaged or not a backup archive|does not match its SHA-256/,
    ],
    [
      'a truncated file',
      (good) => good.subarray(0, Math.floor(good.length / 3)),
      /is damaged or not a backup archive/,
    ],
    ['a text file', () => Buffer.from('not an archive\n'), /is damaged or not a backup archive/],
    [
      'a member changed after it was summed',
      (_good, work) => repack(work, 'secret', 'x'.repeat(43)),
      /secret does not match its SHA-256 checksum/,
    ],
    [
      'an archive without the secret, its checksums rewritten',
      (_good, work) => {
        rmSync(join(work, 'secret'));
        const sums = readFileSync(join(work, 'SHA256SUMS'), 'utf8')
          .split('\n')
          .filter((line) => !line.endsWith('  secret'));
        writeFileSync(join(work, 'SHA256SUMS'), sums.join('\n'));
        const out = join(work, 'no-secret.tar.gz');
        execFileSync('tar', ['-czf', out, '-C', work, 'manifest.json', 'database.sqlite', 'SHA256SUMS']);
        return readFileSync(out);
      },
      /manifest\.json and SHA256SUMS disagree about secret/,
    ],
    [
      'a tar without a manifest',
      (_good, work) => repack(work, 'manifest.json', undefined),
      /manifest\.json is missing|manifest\.json is listed in SHA256SUMS but missing/,
    ],
  ];

  it.each(damaged)('refuses %s with one clear line and writes nothing', async (_name, damage, message) => {
    const work = await mkdtemp(join(dir, 'work-'));
    execFileSync('tar', ['-xzf', archive, '-C', work]);
    const bad = join(work, 'bad.tar.gz');
    writeFileSync(bad, damage(readFileSync(archive), work));
    const target = join(work, 'restored');
    const result = await runCli(['restore', bad], { DATA_DIR: target, CONTENT_DIR: fixtureContent });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(target)).toBe(false);
  });
});

function flip(buffer: Buffer, at: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

/** The archive's files again, with one changed (or left out) but SHA256SUMS as it was. */
function repack(work: string, name: string, content: string | undefined): Buffer {
  const files = ['manifest.json', 'database.sqlite', 'secret', 'SHA256SUMS'];
  if (content === undefined) rmSync(join(work, name));
  else writeFileSync(join(work, name), content);
  const out = join(work, 'repacked.tar.gz');
  execFileSync('tar', ['-czf', out, '-C', work, ...files.filter((f) => f !== name || content !== undefined)]);
  return readFileSync(out);
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
