// The keys that make the ledger evident to tamper with for someone who can write the database but does
// not hold SECRET: an HMAC key for the chain and an Ed25519 key pair for checkpoints of its head.
//
// Both are derived from SECRET (HKDF, one label each) rather than generated into the data folder: every
// process on one database must already share SECRET (its fingerprint is checked at start), so every
// process signs with the same key, the verifier needs nothing but SECRET, and there is no second file to
// back up or lose. The public key is written into each checkpoint so that an auditor can check the
// signatures without SECRET.
import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';

export interface LedgerKeys {
  /** Keys the HMAC-SHA256 of each event: without it nobody can recompute a chain that verifies. */
  readonly chainKey: Buffer;
  readonly signingKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The raw public key, base64url: how checkpoints name the key that signed them. */
  readonly publicKeyId: string;
}

const derive = (secret: string, label: string) =>
  Buffer.from(hkdfSync('sha256', secret, 'errorbudget', label, 32));

// RFC 8410's PKCS#8 container around a 32-byte Ed25519 seed: node:crypto imports private keys only
// in a container, and this prefix is the whole of it.
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ledgerKeysFrom(secret: string): LedgerKeys {
  const seed = derive(secret, 'ledger checkpoint signing key');
  const signingKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(signingKey);
  const publicKeyId = String(publicKey.export({ format: 'jwk' }).x);
  return Object.freeze({ chainKey: derive(secret, 'ledger chain key'), signingKey, publicKey, publicKeyId });
}

let processKeys: LedgerKeys | undefined;

/**
 * Set once where the process opens its database with SECRET (openDatabaseFor, openServices), so that the
 * subscription and delivery code appending events keeps its signature and needs no key of its own.
 */
export function useLedgerKeys(keys: LedgerKeys): void {
  processKeys = keys;
}

export function processLedgerKeys(): LedgerKeys | undefined {
  return processKeys;
}
