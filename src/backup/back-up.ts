// `errorbudget backup`: one archive with everything a restore needs — a consistent snapshot of the
// database, the SECRET (without it no mailed link, address HMAC or ledger hash can be checked again),
// the ledger's signed checkpoints and the DKIM key when one is configured — with a manifest and checksums.
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureSecret } from '../config/ensure-secret.js';
import type { Config } from '../config/load-config.js';
import { schemaVersion } from '../db/migrations.js';
import { type Db, openDatabase } from '../db/open-database.js';
import { bindSecret } from '../ledger/bind-secret.js';
import { UserError } from '../user-error.js';
import { writeArchive, writeOwnerOnly } from './archive.js';
import { archiveFiles, type Manifest, manifestName, sha256File } from './manifest.js';
import { dumpPostgres } from './postgres-dump.js';
import { type Snapshot, snapshotSqlite } from './sqlite-snapshot.js';

export interface BackupOptions {
  out: string;
  force: boolean;
  version: string;
  now: () => Date;
}

/**
 * The database as it is: a backup never migrates it (a newer errorbudget making a backup must not
 * change the schema under the running one), but does check that the secret it archives is the
 * database's own.
 */
export async function openForBackup(config: Config): Promise<Db> {
  const db = openDatabase(config.databaseUrl);
  try {
    const level = await schemaVersion(db).catch((error: Error & { code?: string }) => {
      // No migration table yet is an empty database; anything else is not reaching it at all.
      if (error.code === '42P01' || /no such table/.test(error.message)) return undefined;
      throw new UserError(`cannot open the database (${error.message})`, 'DATABASE_URL');
    });
    if (!level)
      throw new UserError(
        'holds no errorbudget database yet: start serve or run migrate first',
        'DATABASE_URL',
      );
    await bindSecret(db.kysely, config);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

export async function backUp(config: Config, db: Db, o: BackupOptions): Promise<Manifest> {
  // Staged beside the archive, not in /tmp: a database snapshot can be larger than a tmpfs.
  const dir = await mkdtemp(join(dirname(o.out), '.errorbudget-backup-')).catch((error: Error) => {
    throw new UserError(`cannot write into its folder (${error.message})`, o.out);
  });
  try {
    const names: string[] = [];
    // The checkpoints first: copied before the snapshot, none of them can name a head the snapshot lacks.
    if (existsSync(config.ledgerCheckpointFile)) {
      await copyFile(config.ledgerCheckpointFile, join(dir, archiveFiles.checkpoints));
      names.push(archiveFiles.checkpoints);
    }
    const createdAt = o.now();
    const databaseName = db.engine === 'sqlite' ? archiveFiles.sqlite : archiveFiles.postgres;
    const snapshot: Snapshot =
      db.engine === 'sqlite'
        ? await snapshotSqlite(db, join(dir, databaseName))
        : await dumpPostgres(db, config.databaseUrl, join(dir, databaseName));
    names.push(databaseName);
    await writeOwnerOnly(join(dir, archiveFiles.secret), `${ensureSecret(config)}\n`);
    names.push(archiveFiles.secret);
    if (config.dkim) {
      await writeOwnerOnly(join(dir, archiveFiles.dkim), config.dkim.privateKey);
      names.push(archiveFiles.dkim);
    }
    const manifest = await manifestFor(dir, names, {
      ...snapshot,
      engine: db.engine,
      createdAt,
      version: o.version,
    });
    await writeOwnerOnly(join(dir, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeArchive(dir, [manifestName, ...names], o.out, o.force);
    return manifest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function manifestFor(
  dir: string,
  names: string[],
  m: Snapshot & { engine: Db['engine']; createdAt: Date; version: string },
): Promise<Manifest> {
  const files = await Promise.all(
    names.map(async (name) => ({
      name,
      bytes: (await stat(join(dir, name))).size,
      sha256: await sha256File(join(dir, name)),
    })),
  );
  return {
    format: 1,
    app: 'errorbudget',
    version: m.version,
    engine: m.engine,
    migration: m.migration,
    createdAt: m.createdAt.toISOString(),
    counts: m.counts,
    files,
  };
}
