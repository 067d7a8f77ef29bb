// One Kysely instance over either engine: a SQLite file by default, PostgreSQL for scale.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteAdapter, type SqliteDatabase, SqliteDialect } from 'kysely';
import type PgModule from 'pg';
import { makePrivateDir, narrowIfPresent, securePrivateFile } from '../config/private-files.js';
import { UserError } from '../user-error.js';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly engine: Engine;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to work in (tests isolate themselves this way). */
  schema?: string;
}

const int8 = 20;

/** Distinct SQL texts kept prepared per database; the application has far fewer query shapes. */
const statementCacheSize = 2000;

export function openDatabase(url: string, options: OpenOptions = {}): Db {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options.schema);
  throw new UserError('must start with sqlite: or postgres://', 'DATABASE_URL');
}

function openSqlite(file: string): Db {
  const path = resolve(file);
  makePrivateDir(dirname(path));
  // SQLite gives its -wal and -shm files the mode of the database file: a 0600 file before SQLite
  // opens it keeps all three private.
  securePrivateFile(path);
  for (const companion of [`${path}-wal`, `${path}-shm`, `${path}-journal`]) narrowIfPresent(companion);
  const database = new SQLite(path);
  // WAL lets readers proceed while one writer commits; the busy timeout rides out a second process.
  // exec, not pragma(): pragma() prepares a statement and drops it (see preparedOnce).
  database.exec(
    'PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;',
  );
  const kysely = new Kysely<Database>({
    dialect: new TransactionalDdlSqliteDialect({ database: preparedOnce(database) }),
  });
  return { kysely, engine: 'sqlite', close: () => kysely.destroy() };
}

/**
 * SQLite rolls DDL back with the transaction, but Kysely's adapter says it cannot, and so its migrator
 * would run migrations outside any transaction: a failing one would leave half its tables behind.
 */
class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter() {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl() {
        return true;
      }
    })();
  }
}

/**
 * Keeps every statement prepared once per SQL text. Kysely prepares each query anew, which costs a
 * parse per query, and on Node 24.19+ a better-sqlite3 12 statement or database that the garbage
 * collector frees outside JavaScript aborts the process (nodejs/node#65446; better-sqlite3 13 fixes
 * it but no longer runs on Node 20). So none is ever left for the collector: statements stay cached,
 * and a closed database stays referenced, with its statements, until the process exits.
 */
function preparedOnce(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (statements.size < statementCacheSize) statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      database.close();
      closedDatabases.push({ database, statements });
    },
  };
}

const closedDatabases: object[] = [];

function openPostgres(connectionString: string, schema: string | undefined): Db {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`bad schema name ${schema}`);
  // Loaded only for PostgreSQL: a SQLite site (the default) does not carry the driver in memory.
  const pg = createRequire(import.meta.url)('pg') as typeof PgModule;
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // Ids are bigserial; they stay far below 2^53, so numbers are safe and match SQLite's.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === int8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A connection the server ends (a restart, a failover) emits 'error' on the pool when idle, and on its
  // client when checked out between two queries: unhandled, either ends the process. The next query
  // reports the outage itself, and the pool replaces a connection that can no longer be queried.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, engine: 'postgres', close: () => kysely.destroy() };
}
