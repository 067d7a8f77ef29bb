// HMAC-SHA256 (RFC 2104) from two one-shot hashes over a key prepared once. node:crypto's createHmac costs
// 35 µs a call here (OpenSSL 3 fetches the digest and imports the key every time) and leaves a native
// object per call for the garbage collector; an issue makes three per reader (Message-ID, VERP, links).
import { createHash, hash } from 'node:crypto';

const blockSize = 64;
const digestSize = 32;

export class HmacSha256 {
  private readonly innerPad: Buffer;
  /** The outer pad followed by room for the inner digest: filled and hashed in place. */
  private readonly outer: Buffer;
  /** The inner pad followed by room for a message, so that a short message needs no allocation. */
  private scratch: Buffer;

  constructor(key: Buffer | string) {
    let bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (bytes.length > blockSize) bytes = createHash('sha256').update(bytes).digest();
    this.innerPad = Buffer.alloc(blockSize, 0x36);
    this.outer = Buffer.alloc(blockSize + digestSize);
    this.outer.fill(0x5c, 0, blockSize);
    for (let i = 0; i < bytes.length; i++) {
      this.innerPad[i] = (this.innerPad[i] as number) ^ (bytes[i] as number);
      this.outer[i] = (this.outer[i] as number) ^ (bytes[i] as number);
    }
    this.scratch = Buffer.alloc(blockSize + 256);
    this.innerPad.copy(this.scratch);
  }

  digest(message: string): Buffer;
  digest(message: string, encoding: 'hex' | 'base64url'): string;
  digest(message: string, encoding?: 'hex' | 'base64url'): Buffer | string {
    const length = blockSize + Buffer.byteLength(message, 'utf8');
    if (length > this.scratch.length) {
      this.scratch = Buffer.alloc(Math.max(length, 2 * this.scratch.length));
      this.innerPad.copy(this.scratch);
    }
    this.scratch.write(message, blockSize, 'utf8');
    // The inner digest as a binary string: a 'buffer' result would be an ArrayBuffer per call, freed by GC.
    this.outer.write(hash('sha256', this.scratch.subarray(0, length), 'binary'), blockSize, 'latin1');
    return encoding ? hash('sha256', this.outer, encoding) : hash('sha256', this.outer, 'buffer');
  }
}
