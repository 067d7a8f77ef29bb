// The whole check `audit verify` and the admin's ledger page run: the keyed chain, held to every head
// the signed checkpoint file recorded. Without that file a removed tail would go unnoticed; callers say so.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { readCheckpoints } from './checkpoints.js';
import { ledgerKeysFrom } from './ledger-keys.js';
import { type Verification, verifyLedger } from './verify-ledger.js';

export interface FullVerification {
  result: Verification;
  /** False when there is no checkpoint file yet (serve and worker write it). */
  checkpointsFound: boolean;
  checkpointFile: string;
}

export async function verifyWithCheckpoints(
  db: Kysely<Database>,
  secret: string,
  checkpointFile: string,
): Promise<FullVerification> {
  const keys = ledgerKeysFrom(secret);
  const checkpoints = readCheckpoints(checkpointFile, keys);
  const result = await verifyLedger(db, 5000, { keys, checkpoints: checkpoints ?? [] });
  return { result, checkpointsFound: checkpoints !== undefined, checkpointFile };
}

/** One line naming the first broken event or checkpoint. */
export function describeBreak(result: Extract<Verification, { ok: false }>): string {
  return result.checkpoint
    ? `checkpoint ${result.checkpoint} ${result.reason}`
    : `event ${result.seq} ${result.reason}`;
}
