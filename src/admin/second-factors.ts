// Which second factors an admin has set up: passkeys, a TOTP key, or both.
import type { Db } from '../db/open-database.js';

export async function hasSecondFactor(db: Db, adminId: number): Promise<boolean> {
  const [passkey, admin] = await Promise.all([
    db.kysely.selectFrom('admin_passkeys').select('id').where('admin_id', '=', adminId).executeTakeFirst(),
    db.kysely.selectFrom('admins').select('totp_secret').where('id', '=', adminId).executeTakeFirst(),
  ]);
  return passkey !== undefined || (admin?.totp_secret ?? null) !== null;
}
