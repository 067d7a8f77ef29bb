// Passkeys (WebAuthn), the recommended second factor: the browser proves possession of a key bound to
// this site's origin, which no phishing page can ask for. The relying party is the site's configured
// URL (SITE_URL): its host name is the RP ID, its origin the only one accepted. Browsers allow WebAuthn
// on https, and on http only for localhost.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';

/**
 * Loaded on first use: the library and its certificate parsers take seconds to import on a busy
 * machine, and every `serve` would otherwise pay that at start for a ceremony that is rare.
 */
const webauthn = () => import('@simplewebauthn/server');

export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingPartyOf(siteUrl: string, name: string): RelyingParty {
  const url = new URL(siteUrl);
  return { id: url.hostname, name, origin: url.origin };
}

export interface StoredPasskey {
  id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export function passkeysOf(db: Db, adminId: number): Promise<StoredPasskey[]> {
  return db.kysely
    .selectFrom('admin_passkeys')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('admin_id', '=', adminId)
    .orderBy('id')
    .execute();
}

async function credentialsOf(db: Db, adminId: number) {
  const rows = await db.kysely
    .selectFrom('admin_passkeys')
    .select(['credential_id', 'transports'])
    .where('admin_id', '=', adminId)
    .execute();
  return rows.map((row) => ({ id: row.credential_id, transports: JSON.parse(row.transports) as never[] }));
}

export async function registrationOptions(db: Db, rp: RelyingParty, admin: { id: number; email: string }) {
  const { generateRegistrationOptions } = await webauthn();
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: admin.email,
    userID: new TextEncoder().encode(`admin:${admin.id}`),
    attestationType: 'none',
    excludeCredentials: await credentialsOf(db, admin.id),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

/** Checks the browser's answer to a registration and stores the new passkey; false if it does not verify. */
export async function registerPasskey(
  db: Db,
  clock: Clock,
  rp: RelyingParty,
  adminId: number,
  expectedChallenge: string,
  response: RegistrationResponseJSON,
  name: string,
): Promise<boolean> {
  const { verifyRegistrationResponse } = await webauthn();
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: false,
  }).catch(() => undefined);
  if (!verification?.verified) return false;
  const { credential } = verification.registrationInfo;
  await db.kysely
    .insertInto('admin_passkeys')
    .values({
      admin_id: adminId,
      credential_id: credential.id,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: JSON.stringify(credential.transports ?? []),
      name,
      created_at: clock.now().toISOString(),
    })
    .execute();
  return true;
}

export async function authenticationOptions(db: Db, rp: RelyingParty, adminId: number) {
  const { generateAuthenticationOptions } = await webauthn();
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: await credentialsOf(db, adminId),
    userVerification: 'preferred',
  });
}

/** Checks the browser's signature with one of the admin's passkeys; false if it does not verify. */
export async function authenticateWithPasskey(
  db: Db,
  clock: Clock,
  rp: RelyingParty,
  adminId: number,
  expectedChallenge: string,
  response: AuthenticationResponseJSON,
): Promise<boolean> {
  const stored = await db.kysely
    .selectFrom('admin_passkeys')
    .selectAll()
    .where('admin_id', '=', adminId)
    .where('credential_id', '=', String(response.id ?? ''))
    .executeTakeFirst();
  if (!stored) return false;
  const { verifyAuthenticationResponse } = await webauthn();
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    credential: {
      id: stored.credential_id,
      publicKey: new Uint8Array(Buffer.from(stored.public_key, 'base64url')),
      counter: Number(stored.counter),
      transports: JSON.parse(stored.transports) as never[],
    },
    requireUserVerification: false,
  }).catch(() => undefined);
  if (!verification?.verified) return false;
  await db.kysely
    .updateTable('admin_passkeys')
    .set({ counter: verification.authenticationInfo.newCounter, last_used_at: clock.now().toISOString() })
    .where('id', '=', stored.id)
    .execute();
  return true;
}

export async function removePasskey(db: Db, adminId: number, passkeyId: number): Promise<boolean> {
  const result = await db.kysely
    .deleteFrom('admin_passkeys')
    .where('admin_id', '=', adminId)
    .where('id', '=', passkeyId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
