// `errorbudget admin create`, run as a person runs it: the password comes from standard input or a
// prompt, never from the command line, and is stored only as an Argon2id hash.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../src/db/open-database.js';
import { runCli } from './support/run-cli.js';
import { testSecret } from './support/subscription-app.js';

/** A spawned command may take this long on a loaded two-core machine; it is a bound, not a figure. */
const slow = 90_000;

describe('errorbudget admin create', () => {
  let env: Record<string, string>;
  let db: Db;
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'eb-admin-cli-'));
    env = { DATA_DIR: dataDir, SECRET: testSecret, SITE_URL: 'https://news.example.com' };
  });
  afterAll(() => db?.close());

  const admins = async () => {
    db ??= openDatabase(`sqlite:${join(env.DATA_DIR ?? '', 'errorbudget.db')}`);
    return db.kysely.selectFrom('admins').selectAll().orderBy('id').execute();
  };

  it('creates an admin with the password from standard input, hashed with Argon2id', {
    timeout: 120_000,
  }, async () => {
    const password = 'a long enough password';
    const result = await runCli(
      ['admin', 'create', 'Writer@Example.com', '--password-stdin'],
      env,
      slow,
      `${password}\n`,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'admin writer@example.com created; log in at https://news.example.com/admin/login\n',
    );
    expect(result.code).toBe(0);
    const [admin] = await admins();
    expect(admin?.email).toBe('writer@example.com');
    expect(admin?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(admin?.password_hash).not.toContain(password);
    expect(admin?.second_factor_required).toBe(0);
    const events = await db.kysely.selectFrom('ledger_events').select(['kind', 'detail']).execute();
    expect(events.map((e) => [e.kind, JSON.parse(e.detail).action])).toEqual([
      ['admin_action', 'admin created'],
    ]);
  });

  it('can require a second factor at the first login', { timeout: 120_000 }, async () => {
    const result = await runCli(
      ['admin', 'create', 'second@example.com', '--password-stdin', '--require-2fa'],
      env,
      slow,
      'another long password\n',
    );
    expect(result.stdout).toContain('a second factor is set up at the first login');
    expect((await admins()).find((a) => a.email === 'second@example.com')?.second_factor_required).toBe(1);
  });

  it.each([
    [
      'a short password',
      ['admin', 'create', 'x@example.com', '--password-stdin'],
      'short\n',
      'errorbudget: password: the password must be at least 12 characters long\n',
    ],
    [
      'an address taken',
      ['admin', 'create', 'WRITER@example.com', '--password-stdin'],
      'a long enough password\n',
      'errorbudget: email: an admin writer@example.com already exists\n',
    ],
    [
      'not an address',
      ['admin', 'create', 'writer', '--password-stdin'],
      'a long enough password\n',
      'errorbudget: email: "writer" is not an email address\n',
    ],
    [
      'an empty standard input',
      ['admin', 'create', 'y@example.com', '--password-stdin'],
      '',
      'errorbudget: --password-stdin: no password on standard input\n',
    ],
    [
      'no terminal to prompt on',
      ['admin', 'create', 'y@example.com'],
      undefined,
      'errorbudget: password: no terminal to ask for the password: pass it with --password-stdin\n',
    ],
  ] as const)(
    'refuses %s with one line, creating nobody',
    { timeout: 120_000 },
    async (_case, args, input, message) => {
      const before = (await admins()).length;
      const result = await runCli([...args], env, slow, input);
      expect(result.stderr).toBe(message);
      expect(result.code).toBe(1);
      expect((await admins()).length).toBe(before);
    },
  );
});
