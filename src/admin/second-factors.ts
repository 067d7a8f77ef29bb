// Which second factors an admin has set up: passkeys, a TOTP key, or both.
import type { Db } from '../db/open-database.js';

/** Each passkey counts one, an authenticator app one. */
export async function secondFactorCount(db: Db, adminId: number): Promise<number> {
  const [passkeys, admin] = await Promise.all([
    db.kysely
      .selectFrom('admin_passkeys')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('admin_id', '=', adminId)
      .executeTakeFirstOrThrow(),
    db.kysely.selectFrom('admins').select('totp_secret').where('id', '=', adminId).executeTakeFirst(),
  ]);
  return Number(passkeys.n) + ((admin?.totp_secret ?? null) !== null ? 1 : 0);
}

export async function hasSecondFactor(db: Db, adminId: number): Promise<boolean> {
  return (await secondFactorCount(db, adminId)) > 0;
}
