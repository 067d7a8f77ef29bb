// SQLite's part of a backup: `VACUUM INTO` writes a consistent, compact copy while other connections
// keep writing (copying the file of a database in WAL mode is not safe), and a restore writes the
// archived copy the same way into place.
import { existsSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { sql } from 'kysely';
import { securePrivateFile } from '../config/private-files.js';
import { schemaVersion } from '../db/migrations.js';
import { type Db, openDatabase } from '../db/open-database.js';
import { type Counts, countRows } from './manifest.js';

export interface Snapshot {
  counts: Counts;
  migration: string;
}

export async function snapshotSqlite(db: Db, dest: string): Promise<Snapshot> {
  await sql`vacuum into ${dest}`.execute(db.kysely);
  await chmod(dest, 0o600);
  return describeSqlite(dest);
}

/** Counts and schema level of a SQLite file, read from the file itself rather than the live database. */
export async function describeSqlite(file: string): Promise<Snapshot> {
  const copy = openDatabase(`sqlite:${file}`);
  try {
    return { counts: await countRows(copy.kysely), migration: (await schemaVersion(copy)) ?? '' };
  } finally {
    await copy.close();
  }
}

export function sqliteFileOf(databaseUrl: string): string {
  return databaseUrl.slice('sqlite:'.length);
}

/**
 * Writes the archived database to `target`. An existing database there is first copied, consistently,
 * to `keepAs`, then removed with its WAL files: the processes using it must be stopped.
 */
export async function restoreSqlite(
  archived: string,
  target: string,
  keepAs: string | undefined,
): Promise<void> {
  if (existsSync(target)) {
    if (keepAs) await copyDatabase(target, keepAs);
    for (const suffix of ['', '-wal', '-shm']) await rm(`${target}${suffix}`, { force: true });
  }
  await copyDatabase(archived, target);
}

async function copyDatabase(from: string, to: string): Promise<void> {
  // VACUUM INTO fills an empty file: created first, the owner's alone.
  securePrivateFile(to);
  const db = openDatabase(`sqlite:${from}`);
  try {
    await sql`vacuum into ${to}`.execute(db.kysely);
  } finally {
    await db.close();
  }
}
