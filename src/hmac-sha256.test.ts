// The one-shot HMAC must give exactly what node:crypto gives: tokens and VERP addresses already sent must verify.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from './hmac-sha256.js';

describe('HmacSha256', () => {
  it('equals createHmac for short, block-sized and long keys and for any message', () => {
    const keys: Array<Buffer | string> = [
      randomBytes(32),
      randomBytes(64),
      randomBytes(65),
      randomBytes(200),
      Buffer.alloc(0),
      'a secret as text ✓',
    ];
    const messages = [
      '',
      'i.12.345',
      'ünïcödé 🚀',
      'x'.repeat(255),
      'y'.repeat(256),
      'z'.repeat(5000),
      'i.1.2',
    ];
    for (const key of keys) {
      const hmac = new HmacSha256(key);
      for (const message of messages) {
        const expected = createHmac('sha256', key).update(message).digest();
        expect(hmac.digest(message).equals(expected)).toBe(true);
        expect(hmac.digest(message, 'hex')).toBe(expected.toString('hex'));
        expect(hmac.digest(message, 'base64url')).toBe(expected.toString('base64url'));
      }
    }
  });

  it('returns a digest that a later call does not overwrite', () => {
    const hmac = new HmacSha256(randomBytes(32));
    const first = hmac.digest('one');
    const copy = Buffer.from(first);
    hmac.digest('two');
    expect(first.equals(copy)).toBe(true);
  });
});
