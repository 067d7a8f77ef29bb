// Every database test runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set (mandatory in CI).
// Each PostgreSQL database lives in a schema of its own, dropped afterwards, so test files never meet.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, migrationLockKey } from '../../src/db/migrations.js';
import { type Db, type Engine, openDatabase } from '../../src/db/open-database.js';

const postgresUrl = process.env.TEST_POSTGRES_URL;

if (!postgresUrl) {
  if (process.env.CI === 'true') throw new Error('CI=true but TEST_POSTGRES_URL is not set');
  console.warn('notice: TEST_POSTGRES_URL is not set, database tests run on SQLite only');
}

export const engines: Engine[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  db: Db;
  /** The DATABASE_URL a child process would use to reach the same database. */
  url: string;
  schema: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(engine: Engine, { migrated = true } = {}): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'eb-db-'));
    const url = `sqlite:${join(dir, 'errorbudget.db')}`;
    const db = openDatabase(url);
    if (migrated) await migrate(db);
    return {
      db,
      url,
      schema: undefined,
      drop: async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const url = `${postgresUrl}${postgresUrl?.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const db = openDatabase(postgresUrl as string, { schema });
  if (migrated) await migrate(db);
  return {
    db,
    url,
    schema,
    drop: async () => {
      await db.close();
      // Under the migration lock: Kysely's migrator looks at every schema of the database, and one
      // dropped by another test file while it looks fails that migration.
      await adminQuery(
        `select pg_advisory_lock(${migrationLockKey})`,
        `drop schema ${schema} cascade`,
        `select pg_advisory_unlock(${migrationLockKey})`,
      );
    },
  };
}

async function adminQuery(...texts: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    for (const text of texts) await client.query(text);
  } finally {
    await client.end();
  }
}
