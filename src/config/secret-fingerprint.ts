// One SECRET per database. Links, email HMACs and the ledger's chain are all keyed from it: a second
// process with another SECRET would answer every link with an error and write a ledger nobody can
// verify. The database keeps a keyed hash of the SECRET it was first opened with (never the secret),
// and a process with another one refuses to start.
import { hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { UserError } from '../user-error.js';
import type { Config } from './load-config.js';

export function secretFingerprint(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'errorbudget', 'secret fingerprint', 32)).toString('hex');
}

export async function checkSecretFingerprint(
  db: Kysely<Database>,
  config: Pick<Config, 'secret' | 'dataDir'>,
  secret: string,
  now: Date,
): Promise<void> {
  const fingerprint = secretFingerprint(secret);
  // Two first starts at once: one insert wins, and both compare against the winner.
  await db
    .insertInto('secret_fingerprint')
    .values({ id: 1, fingerprint, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const stored = await db
    .selectFrom('secret_fingerprint')
    .select(['fingerprint', 'created_at'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  if (stored.fingerprint === fingerprint) return;
  const where = config.secret ? 'SECRET' : join(config.dataDir, 'secret');
  throw new UserError(
    `is not the secret this database was first started with on ${stored.created_at}; every process on one database needs the same SECRET (set it, or copy DATA_DIR/secret from the first machine)`,
    where,
  );
}
