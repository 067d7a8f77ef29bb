// The DKIM signer, checked by an independent verifier (mailauth) against a key served by a fake DNS.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import nodemailer from 'nodemailer';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DkimOptions, DkimSigner, nodemailerDkim } from './dkim-signer.js';
import { type FilledMessage, MimeTemplate, messagePieces } from './mime-template.js';

const domain = 'news.errorbudget.example';
const selector = 'eb2026';
let privateKey: KeyObject;
let publicKeyRecord: string;

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  publicKeyRecord = `v=DKIM1; k=rsa; p=${pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
});

async function resolveTxt(name: string, type: string): Promise<string[][]> {
  if (type === 'TXT' && name === `${selector}._domainkey.${domain}`) return [[publicKeyRecord]];
  throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
}

async function verify(raw: Buffer | string): Promise<{ result: string; comment?: string }> {
  const { results } = await dkimVerify(raw, { resolver: resolveTxt });
  expect(results).toHaveLength(1);
  const { result, comment } = (results[0] as (typeof results)[number]).status;
  return { result, comment };
}

function signedFieldNames(signature: string): string[] {
  const tag = /[;\s]h=([^;]+);/.exec(signature)?.[1] ?? '';
  return tag.replace(/\s+/g, '').split(':');
}

function issue(readerId = 1): FilledMessage {
  const template = new MimeTemplate({
    headers: [
      ['From', 'errorbudget <notes@news.errorbudget.example>'],
      ['Subject', 'Five patterns — a “decision” framework ✓'],
      ['Date', 'Thu, 26 Nov 2026 09:00:00 +0000'],
      ['List-Id', '<notes.news.errorbudget.example>'],
    ],
    personalHeaders: [
      ['To', '{{to}}'],
      ['Message-ID', '<{{messageId}}>'],
      ['List-Unsubscribe', '<{{unsubscribeUrl}}>, <mailto:{{unsubscribeMailto}}>'],
      ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
    ],
    // Tabs, trailing and repeated spaces, "." and "From " at line starts, non-ASCII: mailauth's own relaxed
    // canonicalisation must agree with the plain hash of what the template wrote.
    text: `Burn rates, in short.\n\tTabbed  twice\t \n.dot line\nFrom here  \nÜnïcödé — ✓ 🚀   \n${'Spend the budget on purpose.  '.repeat(300)}\nUnsubscribe: {{unsubscribeUrl}}\n\n\n`,
    html: `<p>Burn rates, in short.</p>\r\n\t<p>${'Spend the budget on purpose. '.repeat(300)}</p>  \r\n.x { color: red }\n<a href="{{unsubscribeUrl}}">Unsubscribe</a>\n`,
    boundarySeed: 'issue-7',
  });
  return template.fill({
    to: `reader${readerId}@mail.example`,
    messageId: `issue-7.${readerId}@news.errorbudget.example`,
    unsubscribeUrl: `https://errorbudget.example/u/${readerId}.c2lnbmVk`,
    unsubscribeMailto: `unsubscribe+${readerId}.c2lnbmVk@news.errorbudget.example`,
  });
}

function wire(message: FilledMessage, signature: string): Buffer {
  return Buffer.concat(messagePieces(message, [signature]));
}

function signer(overrides: Partial<DkimOptions> = {}): DkimSigner {
  return new DkimSigner({ domain, selector, privateKey, ...overrides });
}

describe('DkimSigner', () => {
  it('signs an issue on the threadpool so that mailauth verifies it, List-Unsubscribe and -Post in h=', async () => {
    const message = issue();
    const signature = await signer().sign(message);
    expect(await verify(wire(message, signature))).toEqual({ result: 'pass', comment: undefined });
    expect(signedFieldNames(signature)).toEqual([
      'from',
      'to',
      'subject',
      'date',
      'message-id',
      'list-id',
      'list-unsubscribe',
      'list-unsubscribe-post',
      'mime-version',
      'content-type',
    ]);
  });

  it('signs synchronously with the same result, t= from the given time, folded at 78 columns', async () => {
    const message = issue(2);
    const now = new Date('2026-11-26T09:00:00Z');
    const signature = signer().signSync(message, now);
    expect(await verify(wire(message, signature))).toMatchObject({ result: 'pass' });
    const unfolded = signature.replace(/\r\n /g, ' ');
    expect(unfolded).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=news\.errorbudget\.example;/,
    );
    expect(unfolded).toMatch(/ s=eb2026; t=1795683600; /);
    expect(signature).not.toMatch(/\r\n$/);
    for (const line of signature.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(signature.replace(/\r\n[ \t]/g, '')).not.toMatch(/[\r\n]/);
  });

  it('fails verification when the body or a personal List-Unsubscribe changes after signing', async () => {
    const message = issue(3);
    const signature = await signer().sign(message);
    const raw = wire(message, signature).toString('latin1');
    const bodyTampered = raw.replace(
      'https://errorbudget.example/u/3.c2lnbmVk=\r\n">',
      'https://evil.example/u/3.c2lnbmVk=\r\n">',
    );
    expect(bodyTampered).not.toBe(raw);
    expect(await verify(bodyTampered)).toMatchObject({
      result: 'neutral',
      comment: 'body hash did not verify',
    });
    const headerTampered = raw.replace('<https://errorbudget.example/u/3.', '<https://evil.example/u/3.');
    expect(headerTampered).not.toBe(raw);
    expect(await verify(headerTampered)).toMatchObject({ result: 'fail' });
  });

  it('takes PKCS#1 and PKCS#8 PEM (also with escaped newlines from an environment variable) and a KeyObject', async () => {
    const message = issue(4);
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const key of [pkcs1, pkcs8, pkcs8.replace(/\n/g, '\\n'), privateKey]) {
      const dkim = signer({ privateKey: key });
      expect(dkim.keyBits).toBe(2048);
      expect(await verify(wire(message, dkim.signSync(message)))).toMatchObject({ result: 'pass' });
    }
  });

  it('refuses an unusable key, domain or selector with a one-line message naming the setting', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey;
    const encrypted = privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'x',
    });
    const publicPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const notRsa = 'DKIM_PRIVATE_KEY: is not an RSA private key in PEM form';
    expect(() => signer({ privateKey: 'not a key' })).toThrow(notRsa);
    expect(() => signer({ privateKey: publicPem.toString() })).toThrow(notRsa);
    expect(() => signer({ privateKey: ec })).toThrow(notRsa);
    expect(() => signer({ privateKey: small })).toThrow(
      'DKIM_PRIVATE_KEY: the RSA key has 512 bits; DKIM needs at least 1024 (RFC 8301)',
    );
    expect(() => signer({ privateKey: encrypted.toString() })).toThrow(/^DKIM_PRIVATE_KEY: is encrypted/);
    expect(() => signer({ domain: 'news example' })).toThrow(/^DKIM_DOMAIN: /);
    expect(() => signer({ selector: 'eb;x=1' })).toThrow(/^DKIM_SELECTOR: /);
  });

  it('signs only the listed fields that are present, and refuses a message without From', async () => {
    const message = issue(5);
    const trimmed = {
      ...message,
      headers: message.headers.filter((field) => !/^(List-Id|Date):/.test(field)),
    };
    expect(signedFieldNames(signer().signSync(trimmed))).not.toContain('list-id');
    expect(signedFieldNames(signer().signSync(trimmed))).toHaveLength(8);
    const anonymous = { ...message, headers: message.headers.filter((field) => !field.startsWith('From:')) };
    expect(() => signer().signSync(anonymous)).toThrow(/From/);
    await expect(signer().sign(anonymous)).rejects.toThrow(/From/);
  });

  it('with canonicalizeBody, signs an arbitrary body so that it verifies; without, the same body does not', async () => {
    const message: FilledMessage = {
      headers: ['From: notes@news.errorbudget.example', 'To: a@mail.example', 'Subject: hi'],
      body: [Buffer.from('Hello \t there  \r\n'), Buffer.from('\ttabbed\r\n\r\n\r\n')],
    };
    const canonical = signer({ canonicalizeBody: true }).signSync(message);
    expect(await verify(wire(message, canonical))).toMatchObject({ result: 'pass' });
    const trusting = signer().signSync(message);
    expect(await verify(wire(message, trusting))).toMatchObject({
      result: 'neutral',
      comment: 'body hash did not verify',
    });
  });
});

describe('nodemailerDkim', () => {
  it('gives nodemailer the parsed KeyObject and the same field list, and the mail it sends verifies', async () => {
    const options = nodemailerDkim({
      domain,
      selector,
      privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    });
    expect(options.privateKey.asymmetricKeyType).toBe('rsa');
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, dkim: options });
    const info = await transport.sendMail({
      from: 'errorbudget <notes@news.errorbudget.example>',
      to: 'reader@mail.example',
      subject: 'Confirm your subscription',
      text: 'Confirm: https://errorbudget.example/confirm/abc',
      headers: {
        'List-Unsubscribe': '<https://errorbudget.example/u/1.abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    const raw = info.message;
    expect(Buffer.isBuffer(raw)).toBe(true);
    expect(await verify(raw as Buffer)).toMatchObject({ result: 'pass' });
    const signature = /^DKIM-Signature:.*?(?=\r\n\S)/ms.exec((raw as Buffer).toString('latin1'))?.[0] ?? '';
    expect(signedFieldNames(signature)).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']),
    );
  });
});
