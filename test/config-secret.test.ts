// One SECRET per database: a process started with another one refuses to start and says why.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { runCli } from './support/run-cli.js';
import { testSecret } from './support/subscription-app.js';

describe.each(engines)('the secret fingerprint on %s', (engine) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(engine, { migrated: false });
  });
  afterEach(async () => t.drop());

  const dataDir = () => mkdtemp(join(tmpdir(), 'eb-data-'));

  it('stores a keyed fingerprint at first start, never the secret, and starts again with the same one', async () => {
    const env = { DATABASE_URL: t.url, DATA_DIR: await dataDir(), SECRET: testSecret };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const rows = await t.db.kysely.selectFrom('secret_fingerprint').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(testSecret);
    expect((await runCli(['audit', 'verify'], { ...env, DATA_DIR: await dataDir() })).code).toBe(0);
  });

  it('refuses a process with another SECRET in one line naming SECRET', async () => {
    const env = { DATABASE_URL: t.url, DATA_DIR: await dataDir(), SECRET: testSecret };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const other = await runCli(['audit', 'verify'], { ...env, SECRET: `${testSecret}-other` });
    expect(other.code).toBe(1);
    expect(other.stdout).toBe('');
    expect(other.stderr).toMatch(
      /^errorbudget: SECRET: is not the secret this database was first started with on \S+; every process on one database needs the same SECRET/,
    );
    expect(other.stderr.split('\n')).toHaveLength(2);
    expect(other.stderr).not.toContain(testSecret);
  });

  it('names DATA_DIR/secret when the differing secret was generated there', async () => {
    expect((await runCli(['migrate'], { DATABASE_URL: t.url, DATA_DIR: await dataDir() })).code).toBe(0);
    const second = await dataDir();
    const other = await runCli(['migrate'], { DATABASE_URL: t.url, DATA_DIR: second });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      new RegExp(
        `^errorbudget: ${join(second, 'secret')}: is not the secret this database was first started with`,
      ),
    );
  });
});
