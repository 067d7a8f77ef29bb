import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, migrateWith, migrationPlan } from '../src/db/migrations.js';
import { version } from '../src/version.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { runCli } from './support/run-cli.js';
import { fixtureContent } from './support/site-app.js';
import { testSecret } from './support/subscription-app.js';

/** A spawned command may take this long on a loaded two-core machine; it is a bound, not a figure. */
const slow = 90_000;

const allMigrations = [
  '2026-11-25-01-subscriptions',
  '2026-11-26-01-issues',
  '2026-11-26-02-subscriptions-hardening',
  '2026-11-26-03-ledger-and-secret',
  '2026-11-27-01-admin',
  '2026-11-27-02-admin-subscribers',
  '2026-11-27-03-ledger-kind',
  '2026-11-27-04-error-budget',
];

describe.each(engines)('upgrading the database on %s', (engine) => {
  let t: TestDatabase;
  let env: Record<string, string>;
  beforeEach(async () => {
    t = await createTestDatabase(engine, { migrated: false });
    env = { DATABASE_URL: t.url, DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')), SECRET: testSecret };
  });
  afterEach(async () => t.drop());

  it('migrate --dry-run lists what would run, changes nothing, and then says nothing is left', {
    timeout: 300_000,
  }, async () => {
    const before = await runCli(['migrate', '--dry-run'], env, slow);
    expect(before.stderr).toBe('');
    expect(before.stdout).toBe(
      `the database has no schema yet; errorbudget migrate would apply ${allMigrations.length} migrations, each in its own transaction:\n` +
        allMigrations.map((name) => `  ${name}\n`).join(''),
    );
    expect(before.code).toBe(0);
    // Not even Kysely's bookkeeping tables were created.
    expect((await migrationPlan(t.db)).applied).toEqual([]);
    expect(await tableExists(t, 'kysely_migration')).toBe(false);

    expect((await runCli(['migrate'], env, slow)).stdout).toBe(`database is at ${allMigrations.at(-1)}\n`);
    const after = await runCli(['migrate', '--dry-run'], env, slow);
    expect(after.stdout).toBe(`the database is at ${allMigrations.at(-1)}; nothing to migrate\n`);
  });

  it('lists only the migrations an older database lacks', async () => {
    await migrate(t.db);
    await sql`delete from kysely_migration where name = ${allMigrations.at(-1)}`.execute(t.db.kysely);
    const plan = await runCli(['migrate', '--dry-run'], env, slow);
    expect(plan.stdout).toBe(
      `the database is at ${allMigrations.at(-2)}; errorbudget migrate would apply 1 migration, each in its own transaction:\n  ${allMigrations.at(-1)}\n`,
    );
  });

  it('serve and migrate refuse a database a newer errorbudget migrated, and say what to do', {
    timeout: 300_000,
  }, async () => {
    await migrate(t.db);
    await sql`insert into kysely_migration (name, timestamp) values ('2099-01-01-01-from-the-future', '2099-01-01T00:00:00.000Z')`.execute(
      t.db.kysely,
    );
    const refusal = `errorbudget: database: it was upgraded by a newer errorbudget (it has migration 2099-01-01-01-from-the-future, unknown to errorbudget ${version}): run that newer version, or restore the backup taken before the upgrade; migrations only go forward\n`;
    const serve = await runCli(
      ['serve', '--port', '0', '--no-watch', '--content', fixtureContent],
      env,
      slow,
    );
    expect(serve.stderr).toBe(refusal);
    expect(serve.code).toBe(1);
    for (const args of [['migrate'], ['migrate', '--dry-run']]) {
      const result = await runCli(args, env, slow);
      expect(result.stderr, args.join(' ')).toBe(refusal);
      expect(result.code).toBe(1);
    }
  });

  it('applies each migration in its own transaction: a failing one leaves no half behind', async () => {
    const failing = {
      '2026-01-01-01-first': {
        async up(db: Kysely<unknown>) {
          await db.schema.createTable('first_table').addColumn('id', 'integer').execute();
        },
      },
      '2026-01-01-02-broken': {
        async up(db: Kysely<unknown>) {
          await db.schema.createTable('half_table').addColumn('id', 'integer').execute();
          await sql`select * from no_such_table`.execute(db);
        },
      },
    };
    await expect(migrateWith(t.db, failing)).rejects.toThrow(/no_such_table/);
    expect(await tableExists(t, 'first_table')).toBe(true);
    expect(await tableExists(t, 'half_table')).toBe(false);
    expect((await migrationPlan(t.db, failing)).applied).toEqual(['2026-01-01-01-first']);
  });
});

describe('migrate --dry-run without a database', () => {
  it('creates no SQLite file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'eb-data-'));
    const result = await runCli(['migrate', '--dry-run'], { DATA_DIR: dataDir });
    expect(result.stdout).toMatch(
      new RegExp(
        `^the database has no schema yet; errorbudget migrate would apply ${allMigrations.length} migrations`,
      ),
    );
    expect(existsSync(join(dataDir, 'errorbudget.db'))).toBe(false);
  });
});

async function tableExists(t: TestDatabase, name: string): Promise<boolean> {
  const query =
    t.db.engine === 'postgres'
      ? sql<{ found: unknown }>`select to_regclass(${name}) as found`
      : sql<{
          found: unknown;
        }>`select name as found from sqlite_master where type = 'table' and name = ${name}`;
  const row = (await query.execute(t.db.kysely)).rows[0];
  return row?.found !== undefined && row.found !== null;
}
