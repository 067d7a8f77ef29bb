// Admin passwords: Argon2id with the OWASP-recommended minimum cost (19 MiB, two passes), which takes
// tens of milliseconds per guess on a server and far longer per guess in bulk.
import { hash, verify } from '@node-rs/argon2';

// 2 is Argon2id in the library's Algorithm enum, which verbatimModuleSyntax cannot import (a const enum).
const options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Long enough that a guess list does not contain it; no upper rules that push people to patterns. */
export const minimumPasswordLength = 12;

export function passwordProblem(password: string): string | undefined {
  if (password.length < minimumPasswordLength)
    return `the password must be at least ${minimumPasswordLength} characters long`;
  if (password.length > 1024) return 'the password must be at most 1024 characters long';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function isPasswordOf(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash to verify against when the address is unknown: the answer then takes as long as for a known
 * address, so the timing does not tell which addresses are admins.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('not the password of anyone, only here to take the same time');
  return decoy;
}
