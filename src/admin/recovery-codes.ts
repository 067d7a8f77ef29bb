// One-time recovery codes, for an admin who lost their passkey and phone: ten random codes, shown once,
// stored only as hashes (each carries 60 random bits, so a fast hash suffices), each good for one login.
import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import { hashToken } from '../subscriptions/tokens.js';

/** Without 0/O, 1/l/I: codes are copied from paper. */
const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
const codeCount = 10;

function newCode(): string {
  const chars = Array.from({ length: 12 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

const normalise = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Replaces an admin's codes with ten new ones, returned once in clear. */
export async function newRecoveryCodes(db: Db, clock: Clock, adminId: number): Promise<string[]> {
  const codes = Array.from({ length: codeCount }, newCode);
  const now = clock.now().toISOString();
  await db.kysely.transaction().execute(async (trx) => {
    await trx.deleteFrom('admin_recovery_codes').where('admin_id', '=', adminId).execute();
    await trx
      .insertInto('admin_recovery_codes')
      .values(
        codes.map((code) => ({ admin_id: adminId, code_hash: hashToken(normalise(code)), created_at: now })),
      )
      .execute();
  });
  return codes;
}

export async function unusedRecoveryCodes(db: Db, adminId: number): Promise<number> {
  const row = await db.kysely
    .selectFrom('admin_recovery_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('admin_id', '=', adminId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Uses up a code; false if it is not one of the admin's, or was used before. */
export async function useRecoveryCode(db: Db, clock: Clock, adminId: number, code: string): Promise<boolean> {
  const result = await db.kysely
    .updateTable('admin_recovery_codes')
    .set({ used_at: clock.now().toISOString() })
    .where('admin_id', '=', adminId)
    .where('code_hash', '=', hashToken(normalise(code)))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteRecoveryCodes(db: Db, adminId: number): Promise<void> {
  await db.kysely.deleteFrom('admin_recovery_codes').where('admin_id', '=', adminId).execute();
}
