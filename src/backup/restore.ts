// `errorbudget restore`: checks the archive whole before touching anything, refuses to replace a
// database, secret or checkpoint file without --force (and keeps what it replaces beside it), restores,
// migrates, and proves the result: the row counts of the manifest and `audit verify`. Old mail is never
// sent again: mail that was waiting at backup time is failed, and every issue that was sending waits.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Config } from '../config/load-config.js';
import { securePrivateDir } from '../config/private-files.js';
import { latestMigration } from '../db/migrations.js';
import { type Db, type Engine, openDatabase } from '../db/open-database.js';
import { holdIssuesAfterRestore } from '../delivery/issue-store.js';
import { failMailWaitingAtBackup } from '../delivery/outbox.js';
import { readCheckpoints } from '../ledger/checkpoints.js';
import { ledgerKeysFrom } from '../ledger/ledger-keys.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { openDatabaseFor } from '../server/open-services.js';
import { dropRequestsWaitingAtBackup } from '../subscriptions/store.js';
import { UserError } from '../user-error.js';
import { readArchive, writeOwnerOnly } from './archive.js';
import { archiveFiles, countRows, type Manifest } from './manifest.js';
import { postgresHoldsData, restorePostgres } from './postgres-dump.js';
import { restoreSqlite, sqliteFileOf } from './sqlite-snapshot.js';

export interface RestoreOptions {
  force: boolean;
  now: () => Date;
  say: (line: string) => void;
}

export interface RestoreReport {
  manifest: Manifest;
  kept: string[];
  /** Mail waiting at backup time, failed rather than sent a second time. */
  failedMail: number;
  /** Subscribe requests waiting at backup time, dropped rather than answered a second time. */
  droppedRequests: number;
  heldIssues: string[];
  ledgerEvents: number;
}

export async function restore(config: Config, file: string, o: RestoreOptions): Promise<RestoreReport> {
  const dir = await mkdtemp(join(tmpdir(), 'errorbudget-restore-'));
  try {
    const manifest = await readArchive(file, dir);
    const engine: Engine = config.databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
    checkFits(manifest, engine, file);
    for (const name of [archiveFiles.secret, archiveFiles[manifest.engine]])
      if (!existsSync(join(dir, name)))
        throw new UserError(`is incomplete: ${name} is missing; nothing was restored`, file);
    const secret = readFileSync(join(dir, archiveFiles.secret), 'utf8').trim();
    if (config.secret && config.secret !== secret)
      throw new UserError(
        "is not the secret of this backup: unset SECRET (the backup's is written to DATA_DIR/secret) or set it to the backup's",
        'SECRET',
      );
    const plan = await planReplacements(config, dir, engine, secret);
    if (plan.conflicts.length > 0 && !o.force)
      throw new UserError(
        `would replace ${plan.conflicts.join(', ')}: stop serve and worker, then restore with --force (what it replaces is kept beside it as *.before-restore-<time>); nothing was changed`,
        file,
      );
    const suffix = `.before-restore-${o.now().toISOString().replace(/[:.]/g, '-')}`;
    const kept: string[] = [];
    const keep = async (path: string) => {
      if (!existsSync(path)) return;
      await rename(path, `${path}${suffix}`);
      kept.push(`${path}${suffix}`);
    };
    securePrivateDir(config.dataDir);
    await restoreFiles(config, dir, secret, plan, keep, o.say);
    await restoreDatabase(config, dir, engine, plan.databaseExists, suffix, kept);
    const db = await openDatabaseFor(config);
    try {
      return { manifest, kept, ...(await settle(db, config, manifest, secret)) };
    } finally {
      await db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function checkFits(manifest: Manifest, engine: Engine, file: string): void {
  if (manifest.engine !== engine)
    throw new UserError(
      `holds a ${manifest.engine} database but DATABASE_URL names a ${engine} one; restore it into a ${manifest.engine} database`,
      file,
    );
  if (manifest.migration > latestMigration(engine))
    throw new UserError(
      `was made by a newer errorbudget (${manifest.version}, schema ${manifest.migration}); install that version or a later one to restore it`,
      file,
    );
}

interface Plan {
  conflicts: string[];
  secretDiffers: boolean;
  checkpointsDiffer: boolean;
  databaseExists: boolean;
}

async function planReplacements(config: Config, dir: string, engine: Engine, secret: string): Promise<Plan> {
  const conflicts: string[] = [];
  const differs = (path: string, archived: string | undefined) =>
    existsSync(path) &&
    (archived === undefined || readFileSync(path, 'utf8') !== readFileSync(archived, 'utf8'));
  const secretFile = join(config.dataDir, 'secret');
  const secretDiffers =
    !config.secret && existsSync(secretFile) && readFileSync(secretFile, 'utf8').trim() !== secret;
  if (secretDiffers) conflicts.push(`the secret ${secretFile}`);
  const checkpoints = join(dir, archiveFiles.checkpoints);
  const checkpointsDiffer = differs(
    config.ledgerCheckpointFile,
    existsSync(checkpoints) ? checkpoints : undefined,
  );
  if (checkpointsDiffer) conflicts.push(`the ledger checkpoints ${config.ledgerCheckpointFile}`);
  const databaseExists = await databaseHoldsData(config, engine);
  if (databaseExists) conflicts.push('the database of DATABASE_URL');
  return { conflicts, secretDiffers, checkpointsDiffer, databaseExists };
}

async function databaseHoldsData(config: Config, engine: Engine): Promise<boolean> {
  if (engine === 'sqlite') return existsSync(sqliteFileOf(config.databaseUrl));
  const db: Db = openDatabase(config.databaseUrl);
  try {
    return await postgresHoldsData(db);
  } catch (error) {
    throw new UserError(`cannot open the database (${(error as Error).message})`, 'DATABASE_URL');
  } finally {
    await db.close();
  }
}

async function restoreFiles(
  config: Config,
  dir: string,
  secret: string,
  plan: Plan,
  keep: (path: string) => Promise<void>,
  say: (line: string) => void,
): Promise<void> {
  if (!config.secret) {
    const secretFile = join(config.dataDir, 'secret');
    if (plan.secretDiffers) await keep(secretFile);
    await writeOwnerOnly(secretFile, `${secret}\n`);
  }
  // Newer checkpoints left in place would name heads the restored ledger lacks: they go aside.
  if (plan.checkpointsDiffer) await keep(config.ledgerCheckpointFile);
  const checkpoints = join(dir, archiveFiles.checkpoints);
  if (existsSync(checkpoints)) {
    await mkdir(dirname(config.ledgerCheckpointFile), { recursive: true });
    await copyFile(checkpoints, config.ledgerCheckpointFile);
    await chmod(config.ledgerCheckpointFile, 0o600);
  }
  const dkim = join(dir, archiveFiles.dkim);
  if (existsSync(dkim)) {
    const key = await readFile(dkim, 'utf8');
    if (config.dkim?.privateKey !== key) {
      const target = join(config.dataDir, archiveFiles.dkim);
      await keep(target);
      await writeOwnerOnly(target, key);
      say(`the backup's DKIM key is in ${target}: point DKIM_PRIVATE_KEY at it`);
    }
  }
}

async function restoreDatabase(
  config: Config,
  dir: string,
  engine: Engine,
  replace: boolean,
  suffix: string,
  kept: string[],
): Promise<void> {
  if (engine === 'postgres')
    return restorePostgres(join(dir, archiveFiles.postgres), config.databaseUrl, replace);
  const target = sqliteFileOf(config.databaseUrl);
  await mkdir(dirname(target), { recursive: true });
  const keepAs = replace ? `${target}${suffix}` : undefined;
  await restoreSqlite(join(dir, archiveFiles.sqlite), target, keepAs);
  if (keepAs) kept.push(keepAs);
}

/** Counts, then the rules that keep old mail from going out, then the ledger's own proof. */
async function settle(db: Db, config: Config, manifest: Manifest, secret: string) {
  const counts = await countRows(db.kysely);
  const differ = Object.entries(manifest.counts).filter(
    ([table, n]) => counts[table as keyof typeof counts] !== n,
  );
  if (differ.length > 0)
    throw new UserError(
      `restored, but the row counts differ from the manifest: ${differ.map(([t, n]) => `${t} ${counts[t as keyof typeof counts]} instead of ${n}`).join(', ')}`,
      'restore',
    );
  const failedMail = await failMailWaitingAtBackup(db.kysely, manifest.createdAt);
  const heldIssues = await holdIssuesAfterRestore(db.kysely, manifest.createdAt);
  const droppedRequests = await dropRequestsWaitingAtBackup(db.kysely);
  const keys = ledgerKeysFrom(secret);
  const checkpoints = readCheckpoints(config.ledgerCheckpointFile, keys) ?? [];
  const verified = await verifyLedger(db.kysely, 5000, { keys, checkpoints });
  if (!verified.ok)
    throw new UserError(
      `restored, but audit verify fails: ${verified.checkpoint ? `checkpoint ${verified.checkpoint}` : `event ${verified.seq}`} ${verified.reason}`,
      'consent ledger',
    );
  return { failedMail, droppedRequests, heldIssues, ledgerEvents: verified.events };
}
