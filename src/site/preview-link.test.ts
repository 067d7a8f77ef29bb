import { describe, expect, it } from 'vitest';
import { PreviewSigner, parseLifetime } from './preview-link.js';

const signer = new PreviewSigner('a-secret-of-at-least-thirty-two-characters');
const now = new Date('2026-11-25T12:00:00Z');

function parts(path: string) {
  const url = new URL(path, 'https://x.test');
  return [url.searchParams.get('expires') ?? '', url.searchParams.get('signature') ?? ''] as const;
}

describe('preview links', () => {
  it('carries its expiry, and is valid until that second', () => {
    const [expires, signature] = parts(signer.path('a-draft', new Date('2026-11-25T13:00:00Z')));
    expect(expires).toBe(String(Date.parse('2026-11-25T13:00:00Z') / 1000));
    expect(signer.check('a-draft', expires, signature, now)).toBe('valid');
    expect(signer.check('a-draft', expires, signature, new Date('2026-11-25T12:59:59Z'))).toBe('valid');
    expect(signer.check('a-draft', expires, signature, new Date('2026-11-25T13:00:00Z'))).toBe('expired');
  });

  it.each([
    ['another slug', 'b-draft', undefined, undefined],
    ['a later expiry', 'a-draft', '1795000000', undefined],
    ['a short signature', 'a-draft', undefined, 'abc'],
    ['no signature', 'a-draft', undefined, null],
    ['an expiry that is not a number', 'a-draft', '1e12', undefined],
  ])('is invalid with %s', (_case, slug, expires, signature) => {
    const [goodExpires, goodSignature] = parts(signer.path('a-draft', new Date('2026-11-26T00:00:00Z')));
    const sig = signature === null ? undefined : (signature ?? goodSignature);
    expect(signer.check(slug, expires ?? goodExpires, sig, now)).toBe('invalid');
  });

  it('is invalid under another SECRET', () => {
    const [expires, signature] = parts(signer.path('a-draft', new Date('2026-11-26T00:00:00Z')));
    const other = new PreviewSigner('another-secret-of-at-least-thirty-two-chars');
    expect(other.check('a-draft', expires, signature, now)).toBe('invalid');
  });

  it.each([
    ['30m', 30 * 60_000],
    ['12h', 12 * 3_600_000],
    ['7d', 7 * 86_400_000],
  ])('reads the lifetime %s', (text, ms) => {
    expect(parseLifetime(text)).toBe(ms);
  });

  it.each([
    ['soon', '--expires: "soon" is not a lifetime such as 30m, 12h or 7d'],
    ['0d', '--expires: "0d" is not a lifetime such as 30m, 12h or 7d'],
    ['91d', '--expires: "91d" is longer than 90 days'],
  ])('refuses the lifetime %s', (text, message) => {
    expect(() => parseLifetime(text)).toThrow(message);
  });
});
