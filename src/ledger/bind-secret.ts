// Where a process that opened a database takes up its SECRET: refuse a SECRET the database does not
// belong to, then key this process's ledger appends with it.
import type { Kysely } from 'kysely';
import { ensureSecret } from '../config/ensure-secret.js';
import type { Config } from '../config/load-config.js';
import { checkSecretFingerprint } from '../config/secret-fingerprint.js';
import type { Database } from '../db/schema.js';
import { type LedgerKeys, ledgerKeysFrom, useLedgerKeys } from './ledger-keys.js';

export async function bindSecret(
  db: Kysely<Database>,
  config: Pick<Config, 'secret' | 'dataDir'>,
): Promise<{ secret: string; ledgerKeys: LedgerKeys }> {
  const secret = ensureSecret(config);
  await checkSecretFingerprint(db, config, secret, new Date());
  const ledgerKeys = ledgerKeysFrom(secret);
  useLedgerKeys(ledgerKeys);
  return { secret, ledgerKeys };
}
