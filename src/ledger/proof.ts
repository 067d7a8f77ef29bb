// The personal proof beside each event (when, which form, from which address and browser) and what the
// chain commits to instead of it. The IP address and user agent are personal data kept only for the
// retention period (site.yml `privacy.retentionMonths`); the rest of the proof is kept for good. So the
// chain commits to a sealed proof, in which each personal value is an HMAC under a random key stored
// with the proof. Dropping a proof's raw values together with its key leaves exactly the sealed proof:
// it still matches the chain, and no one, holding SECRET or not, can test a guessed address against it.
import { createHmac, randomBytes } from 'node:crypto';
import { sha256 } from './event-hash.js';

const personalFields = new Set(['ip', 'userAgent']);
const keyField = 'personalKey';

/** A sealed value; a raw IP or user agent is never stored in this form by us. */
const sealedPrefix = 'hmac-sha256:';

/** The proof as first stored: raw values and the key that seals them (last, so dropping it keeps order). */
export function storedProof(proof: Record<string, unknown>): string {
  return JSON.stringify({ ...proof, [keyField]: randomBytes(32).toString('hex') });
}

/**
 * What the chain commits to. A proof still holding its key is sealed with it; one without a key is
 * already sealed, or was written before proofs were sealed (then the whole raw text was hashed, with a
 * salt inside it), and is its own commitment either way.
 */
export function sealedProof(stored: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return stored;
  }
  if (!isRecord(parsed) || typeof parsed[keyField] !== 'string') return stored;
  const { [keyField]: key, ...rest } = parsed;
  return JSON.stringify(seal(rest, Buffer.from(key as string, 'hex')));
}

export const proofHash = (stored: string) => sha256(sealedProof(stored));

/** True while a stored proof still holds raw personal values that retention will drop. */
export function holdsPersonalValues(stored: string): boolean {
  return sealedProof(stored) !== stored;
}

/** The proof as a person may read it: without the sealing key, which is ours, not theirs. */
export function readableProof(stored: string): unknown {
  const { [keyField]: _key, ...rest } = JSON.parse(stored) as Record<string, unknown>;
  return rest;
}

function seal(value: unknown, key: Buffer): unknown {
  if (Array.isArray(value)) return value.map((item) => seal(item, key));
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, v]) => [
      name,
      personalFields.has(name) && typeof v === 'string'
        ? `${sealedPrefix}${createHmac('sha256', key).update(v).digest('hex')}`
        : seal(v, key),
    ]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
