import { describe, expect, it } from 'vitest';
import { sha256 } from './event-hash.js';
import { holdsPersonalValues, proofHash, readableProof, sealedProof, storedProof } from './proof.js';

const proof = {
  at: '2026-11-26T10:00:00.000Z',
  ip: '192.0.2.7',
  userAgent: 'Firefox',
  form: 'confirmation link',
  request: { at: '2026-11-26T09:59:00.000Z', ip: '192.0.2.7', userAgent: 'Firefox', form: 'hero' },
};

describe('a sealed proof', () => {
  it('replaces every IP and user agent, nested ones too, by an HMAC under the proof’s own key', () => {
    const stored = storedProof(proof);
    const sealed = JSON.parse(sealedProof(stored));
    expect(sealed).toEqual({
      at: proof.at,
      ip: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      userAgent: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      form: 'confirmation link',
      request: {
        at: proof.request.at,
        ip: sealed.ip,
        userAgent: sealed.userAgent,
        form: 'hero',
      },
    });
    expect(holdsPersonalValues(stored)).toBe(true);
  });

  it('is its own commitment once the raw values are dropped, and differs for each proof', () => {
    const stored = storedProof(proof);
    const dropped = sealedProof(stored);
    expect(holdsPersonalValues(dropped)).toBe(false);
    expect(proofHash(dropped)).toBe(proofHash(stored));
    expect(proofHash(storedProof(proof))).not.toBe(proofHash(stored));
  });

  it('keeps hashing a proof written before sealing (salted, no key) as the raw text it was', () => {
    const legacy = JSON.stringify({ ...proof, salt: 'ab'.repeat(16) });
    expect(proofHash(legacy)).toBe(sha256(legacy));
    expect(proofHash('not json')).toBe(sha256('not json'));
  });

  it('shows a person their proof without the sealing key', () => {
    expect(readableProof(storedProof(proof))).toEqual(proof);
  });
});
