// Signed, expiring links to a note that is not published yet, for showing a draft to a reviewer. The
// link carries its expiry; an HMAC keyed from SECRET covers the slug and the expiry, so neither can be
// changed, and nothing is stored: a link lives until its time, or until SECRET changes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UserError } from '../user-error.js';

export const defaultPreviewLifetime = '7d';
/** Long enough for any review; a link is a bearer credential and should not outlive its purpose. */
const longestLifetimeMs = 90 * 86_400_000;
const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export type PreviewCheck = 'valid' | 'expired' | 'invalid';

export class PreviewSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, so that a preview signature can never pass for a personal link or a ledger hash.
    this.key = createHmac('sha256', secret).update('errorbudget draft preview v1').digest();
  }

  /** Path and query of the preview of `slug`, valid until `expiresAt` (whole seconds). */
  path(slug: string, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return `/preview/${slug}?expires=${expires}&signature=${this.sign(slug, expires)}`;
  }

  check(slug: string, expires: unknown, signature: unknown, now: Date): PreviewCheck {
    if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string')
      return 'invalid';
    const expected = Buffer.from(this.sign(slug, Number(expires)));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(expires) * 1000 <= now.getTime() ? 'expired' : 'valid';
  }

  private sign(slug: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${slug}\n${expires}`).digest('base64url');
  }
}

/** `30m`, `12h`, `7d`: how long a preview link works. */
export function parseLifetime(text: string): number {
  const match = /^(\d+)\s*([mhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (units[match[2] ?? ''] ?? 0) : 0;
  if (ms <= 0) throw new UserError(`"${text}" is not a lifetime such as 30m, 12h or 7d`, '--expires');
  if (ms > longestLifetimeMs) throw new UserError(`"${text}" is longer than 90 days`, '--expires');
  return ms;
}
