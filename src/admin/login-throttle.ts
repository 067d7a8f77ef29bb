// Failed logins slow guessing down: five wrong answers (password or second factor) for one account, or
// ten from one client address, within fifteen minutes, and that account or address may not try again
// until the oldest of them is fifteen minutes old. Counted in the database, so every web process
// agrees, and by the clock, so tests move time instead of waiting.
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import { normaliseAdminEmail } from './admin-store.js';

export const loginLimits = { windowMs: 15 * 60 * 1000, perAccount: 5, perAddress: 10 } as const;

const keysOf = (ip: string, email: string) => ({
  address: `ip:${ip}`,
  account: `account:${normaliseAdminEmail(email)}`,
});

async function retryAfter(db: Db, clock: Clock, key: string, limit: number): Promise<number> {
  const now = clock.now().getTime();
  const recent = await db.kysely
    .selectFrom('admin_login_failures')
    .select('at')
    .where('key', '=', key)
    .where('at', '>', new Date(now - loginLimits.windowMs).toISOString())
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
  const oldest = recent[limit - 1];
  return oldest ? Date.parse(oldest.at) + loginLimits.windowMs - now : 0;
}

/** How long (ms) this address or account must wait before its next try; 0: it may try now. */
export async function loginWait(db: Db, clock: Clock, ip: string, email: string): Promise<number> {
  const { address, account } = keysOf(ip, email);
  const [byAddress, byAccount] = await Promise.all([
    retryAfter(db, clock, address, loginLimits.perAddress),
    email ? retryAfter(db, clock, account, loginLimits.perAccount) : 0,
  ]);
  return Math.max(byAddress, byAccount);
}

export async function recordLoginFailure(db: Db, clock: Clock, ip: string, email: string): Promise<void> {
  const now = clock.now();
  const { address, account } = keysOf(ip, email);
  const keys = email ? [address, account] : [address];
  await db.kysely.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('admin_login_failures')
      .where('key', 'in', keys)
      .where('at', '<=', new Date(now.getTime() - loginLimits.windowMs).toISOString())
      .execute();
    await trx
      .insertInto('admin_login_failures')
      .values(keys.map((key) => ({ key, at: now.toISOString() })))
      .execute();
  });
}

/** A complete login forgives the account's earlier mistakes (not the address's: it may be another's). */
export async function clearAccountFailures(db: Db, email: string): Promise<void> {
  await db.kysely.deleteFrom('admin_login_failures').where('key', '=', keysOf('', email).account).execute();
}

export function waitInWords(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes <= 1 ? 'a minute' : `${minutes} minutes`;
}

/** Deletes failures past the window, of every key: addresses that never come back leave nothing. */
export async function deleteOldLoginFailures(db: Db, clock: Clock): Promise<void> {
  const before = new Date(clock.now().getTime() - loginLimits.windowMs).toISOString();
  await db.kysely.deleteFrom('admin_login_failures').where('at', '<=', before).execute();
}
