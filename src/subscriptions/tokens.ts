// Unguessable tokens and signed personal links. Single-use tokens are stored only as hashes; personal
// links are an HMAC over the subscriber's random key, so they need no storage and die with the key.
import {
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Keys derived per purpose, so that no two uses of SECRET can be played against each other. */
export class Keys {
  private readonly emailKey: Buffer;
  /** A KeyObject: links are made for every reader of every issue, and OpenSSL imports it once. */
  private readonly linkKey: KeyObject;

  constructor(secret: string) {
    this.emailKey = createHmac('sha256', secret).update('errorbudget email hmac v1').digest();
    this.linkKey = createSecretKey(
      createHmac('sha256', secret).update('errorbudget personal links v1').digest(),
    );
  }

  /** Stands for an address in the ledger and suppression checks, without being the address. */
  emailHmac(email: string): string {
    return createHmac('sha256', this.emailKey).update(email.toLowerCase()).digest('hex');
  }

  personalToken(subscriberKey: string): string {
    return `${subscriberKey}.${this.linkMac(subscriberKey)}`;
  }

  /** The subscriber key a token was issued for, or undefined if it was not issued by us. */
  subscriberKeyOf(token: string): string | undefined {
    const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{32})$/.exec(token);
    if (!match) return undefined;
    const [, key = '', mac = ''] = match;
    const expected = Buffer.from(this.linkMac(key));
    return timingSafeEqual(expected, Buffer.from(mac)) ? key : undefined;
  }

  private linkMac(key: string): string {
    return createHmac('sha256', this.linkKey).update(key).digest('base64url').slice(0, 32);
  }
}

export const newSubscriberKey = () => randomToken(16);
