// TOTP (RFC 6238), the second factor for those without passkeys: 6 digits, 30-second steps, SHA-1 (what
// every authenticator app supports). A code is accepted one step early or late for clock drift, and
// never twice: the step last used is kept (RFC 6238, section 5.2).
import { Secret, TOTP } from 'otpauth';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { SecretBox } from './secret-box.js';

const periodSeconds = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secretBase32: string, issuer: string, email: string): TOTP {
  return new TOTP({ issuer, label: email, secret: Secret.fromBase32(secretBase32), period: periodSeconds });
}

/** The otpauth:// URI an authenticator app reads, and its QR code as SVG, drawn here. */
export async function totpEnrolment(secretBase32: string, issuer: string, email: string) {
  const uri = totpOf(secretBase32, issuer, email).toString();
  // Loaded when someone sets up an app, not at every start.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { uri, svg };
}

/** The time step a code belongs to, if it is valid now (within one step either way). */
export function totpStep(secretBase32: string, code: string, clock: Clock): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const timestamp = clock.now().getTime();
  const delta = totpOf(secretBase32, 'errorbudget', 'admin').validate({ token, timestamp, window: 1 });
  if (delta === null) return undefined;
  return Math.floor(timestamp / 1000 / periodSeconds) + delta;
}

const sealContext = (adminId: number) => `totp:${adminId}`;

export function sealTotpSecret(box: SecretBox, adminId: number, secretBase32: string): string {
  return box.seal(secretBase32, sealContext(adminId));
}

export function openTotpSecret(box: SecretBox, adminId: number, sealed: string): string | undefined {
  return box.open(sealed, sealContext(adminId));
}

export async function enableTotp(db: Db, adminId: number, sealed: string, step: number): Promise<void> {
  await db.kysely
    .updateTable('admins')
    .set({ totp_secret: sealed, totp_last_step: step })
    .where('id', '=', adminId)
    .execute();
}

export async function disableTotp(db: Db, adminId: number): Promise<void> {
  await db.kysely
    .updateTable('admins')
    .set({ totp_secret: null, totp_last_step: null })
    .where('id', '=', adminId)
    .execute();
}

/**
 * Checks an admin's code and uses up its step; false for a wrong code or one already used. The update
 * is conditional, so two requests racing with the same code cannot both pass.
 */
export async function useTotpCode(
  db: Db,
  box: SecretBox,
  clock: Clock,
  adminId: number,
  code: string,
): Promise<boolean> {
  const admin = await db.kysely
    .selectFrom('admins')
    .select(['totp_secret', 'totp_last_step'])
    .where('id', '=', adminId)
    .executeTakeFirst();
  const secret = admin?.totp_secret ? openTotpSecret(box, adminId, admin.totp_secret) : undefined;
  if (!secret) return false;
  const step = totpStep(secret, code, clock);
  if (step === undefined || (admin?.totp_last_step ?? -1) >= step) return false;
  const result = await db.kysely
    .updateTable('admins')
    .set({ totp_last_step: step })
    .where('id', '=', adminId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
