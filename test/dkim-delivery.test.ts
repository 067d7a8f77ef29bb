// DKIM as a receiver checks it: issue mails (our own signer) and transactional mails (nodemailer's) from
// the real services, verified by mailauth against the public key a fake DNS serves.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app.js';

const selector = 'eb2026';
const domain = 'errorbudget.test';
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const record = `v=DKIM1; k=rsa; p=${pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;

async function resolver(name: string, type: string): Promise<string[][]> {
  if (type === 'TXT' && name === `${selector}._domainkey.${domain}`) return [[record]];
  throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
}

async function verify(raw: Buffer | undefined) {
  if (!raw) throw new Error('no raw mail kept');
  const { results } = await dkimVerify(raw, { resolver });
  const [first] = results;
  const signature = /^DKIM-Signature:((?:.*\r\n[ \t])*.*)/im.exec(raw.toString())?.[1] ?? '';
  const signedHeaders = /\bh=([^;]+)/.exec(signature.replace(/\s+/g, ''))?.[1] ?? '';
  return { result: first?.status.result, signedHeaders };
}

describe('DKIM', () => {
  let t: DeliveryApp;
  afterEach(async () => t?.close());

  it('signs every issue mail and every transactional mail so that a receiver verifies them', async () => {
    t = await startDeliveryApp('sqlite', {
      sink: { keep: 'parsed' },
      env: {
        DKIM_PRIVATE_KEY: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        DKIM_SELECTOR: selector,
        DKIM_DOMAIN: domain,
      },
    });
    await t.addReaders([
      { email: 'one@example.com', status: 'active' },
      { email: 'two@example.com', status: 'active' },
    ]);
    await t.startIssue();
    await t.services.issues.sendAll();
    await t.services.subscriptions.request({
      email: 'new@example.com',
      form: 'hero',
      wording: 'Subscribe',
      ip: '127.0.0.1',
      userAgent: 'test',
    });
    await t.services.outbox.deliverDue();
    expect(t.smtp.received.map((r) => r.to).sort()).toEqual([
      'new@example.com',
      'one@example.com',
      'two@example.com',
    ]);
    for (const mail of t.smtp.received) {
      const { result, signedHeaders } = await verify(mail.raw);
      expect(result, mail.to).toBe('pass');
      if (mail.to !== 'new@example.com')
        expect(signedHeaders).toMatch(/list-unsubscribe.*list-unsubscribe-post/i);
    }
    // A changed unsubscribe link no longer verifies: the signature covers it (RFC 8058).
    const issueMail = t.smtp.received.find((r) => r.to === 'one@example.com')?.raw?.toString() ?? '';
    const tampered = issueMail.replace(/unsubscribe\/k0/, 'unsubscribe/k1');
    expect((await verify(Buffer.from(tampered))).result).not.toBe('pass');
  });

  it('refuses to start with a key that is not an RSA private key, naming the setting', async () => {
    await expect(
      startDeliveryApp('sqlite', {
        env: {
          DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----',
          DKIM_SELECTOR: selector,
          DKIM_DOMAIN: domain,
        },
      }),
    ).rejects.toThrow(/DKIM_PRIVATE_KEY/);
  });
});
