// PostgreSQL's part of a backup: `pg_dump` in its custom format, taken inside an exported snapshot so
// that the counts in the manifest are those of the dump, whatever commits meanwhile. Restored with
// `pg_restore` in one transaction. The password goes to the tools through PGPASSWORD, never argv.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { type Db, openDatabase } from '../db/open-database.js';
import { UserError } from '../user-error.js';
import { countRows } from './manifest.js';
import type { Snapshot } from './sqlite-snapshot.js';

const missingTool = (tool: string) =>
  `${tool} is not on the PATH. A PostgreSQL database is backed up with pg_dump and restored with pg_restore (Debian: apt-get install postgresql-client, the server's major version or newer); install them, or back up with your provider's snapshots and keep DATA_DIR/secret beside them`;

export async function dumpPostgres(db: Db, databaseUrl: string, dest: string): Promise<Snapshot> {
  return db.kysely.connection().execute(async (conn) => {
    await sql`begin isolation level repeatable read read only`.execute(conn);
    try {
      const { rows } = await sql<{
        id: string;
        schema: string;
      }>`select pg_export_snapshot() as id, current_schema() as schema`.execute(conn);
      const { id, schema } = rows[0] as { id: string; schema: string };
      const counts = await countRows(conn);
      const level = await sql<{
        name: string;
      }>`select name from kysely_migration order by name desc limit 1`.execute(conn);
      await run(
        'pg_dump',
        [
          '--format=custom',
          '--no-owner',
          '--no-privileges',
          `--snapshot=${id}`,
          `--schema=${schema}`,
          `--file=${dest}`,
        ],
        databaseUrl,
      );
      return { counts, migration: level.rows[0]?.name ?? '' };
    } finally {
      await sql`commit`.execute(conn);
    }
  });
}

/** Whether the database of DATABASE_URL already holds errorbudget's tables (in its search path). */
export async function postgresHoldsData(db: Db): Promise<boolean> {
  const { rows } = await sql<{
    found: string | null;
  }>`select to_regclass('kysely_migration')::text as found`.execute(db.kysely);
  return rows[0]?.found != null;
}

/**
 * The dump's schemas are created here if missing rather than by pg_restore, which fails on one that
 * exists (`public` always does) and, with --clean, would drop a schema that may hold more than ours.
 */
export async function restorePostgres(
  archived: string,
  databaseUrl: string,
  replace: boolean,
): Promise<void> {
  const list = await run('pg_restore', ['--list', archived], undefined);
  const schemas: string[] = [];
  const entries = list
    .split('\n')
    .map((line) => {
      const schema = /^\d+; \d+ \d+ SCHEMA - (\S+) /.exec(line)?.[1];
      if (!schema) return line;
      schemas.push(schema);
      return `;${line}`;
    })
    .join('\n');
  const listFile = `${archived}.list`;
  await writeFile(listFile, entries, { mode: 0o600 });
  const db = openDatabase(databaseUrl);
  try {
    for (const schema of schemas) await sql`create schema if not exists ${sql.id(schema)}`.execute(db.kysely);
  } finally {
    await db.close();
  }
  await run(
    'pg_restore',
    [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      ...(replace ? ['--clean', '--if-exists'] : []),
      `--use-list=${listFile}`,
      archived,
    ],
    databaseUrl,
  );
}

/** Runs a PostgreSQL tool against DATABASE_URL (or none), and returns what it printed. */
function run(tool: string, args: string[], databaseUrl: string | undefined): Promise<string> {
  const url = databaseUrl ? new URL(databaseUrl) : undefined;
  const password = url ? decodeURIComponent(url.password) : '';
  if (url) url.password = '';
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, ...(url ? [`--dbname=${url.toString()}`] : [])], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new UserError(missingTool(tool)) : error),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const reason = stderr.trim().split('\n').filter(Boolean).slice(-2).join(' / ') || `exit code ${code}`;
      reject(new UserError(`${tool} failed: ${reason}`, 'DATABASE_URL'));
    });
  });
}
