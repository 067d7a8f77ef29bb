// Our own DKIM signer (RFC 6376, rsa-sha256, relaxed/relaxed): key parsed once, RSA on libuv's threadpool.
import { createHash, createPrivateKey, KeyObject, sign as rsaSign } from 'node:crypto';
import type { FilledMessage } from './mime-template.js';

export interface DkimOptions {
  domain: string;
  selector: string;
  /** PEM (PKCS#1 or PKCS#8, unencrypted) or a KeyObject; RSA of at least 1024 bits (RFC 8301). */
  privateKey: string | KeyObject;
  /**
   * Hash the relaxed canonical form of the body instead of its bytes as given. Off by default: a
   * MimeTemplate body is already canonical, and canonicalising costs a copy of the body per mail.
   */
  canonicalizeBody?: boolean;
}

/** The nodemailer `dkim` option for transactional mail: same header list, key parsed once. */
export interface NodemailerDkim {
  domainName: string;
  keySelector: string;
  privateKey: KeyObject;
  headerFieldNames: string;
}

/** Signed when present. RFC 8058 §4: one-click unsubscribe needs both List-Unsubscribe fields in h=. */
export const dkimSignedFields: readonly string[] = [
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
];

const foldWidth = 78;
const domainName = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$/;
const selectorName =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

interface Unsigned {
  /** The folded DKIM-Signature field up to and including "b=". */
  field: string;
  /**
   * What the RSA signature covers (RFC 6376 §3.7): the signed fields, then this field without its b= value.
   * A view of the signer's scratch buffer, valid until its next mail.
   */
  data: Buffer;
}

export class DkimSigner {
  /** Modulus length, for the caller's warning below 2048 bits (RFC 8301 SHOULD). */
  readonly keyBits: number;
  private readonly key: KeyObject;
  private readonly domain: string;
  private readonly selector: string;
  private readonly canonicalizeBody: boolean;
  /**
   * What the signature covers is written here for each mail: crypto.sign copies it before it returns, so
   * one buffer serves every mail rather than a slab of Node's Buffer pool per few mails.
   */
  private scratch = Buffer.allocUnsafe(4096);

  constructor(options: DkimOptions) {
    this.key = parsePrivateKey(options.privateKey);
    this.keyBits = this.key.asymmetricKeyDetails?.modulusLength ?? 0;
    this.domain = checkDomain(options.domain);
    this.selector = checkSelector(options.selector);
    this.canonicalizeBody = options.canonicalizeBody ?? false;
  }

  /**
   * Precondition unless `canonicalizeBody`: the body is already relaxed-canonical (as MimeTemplate makes it),
   * so bh= is a plain SHA-256 of its bytes. Returns the folded "DKIM-Signature: …" field, no trailing CRLF.
   */
  async sign(message: FilledMessage, now: Date = new Date()): Promise<string> {
    const unsigned = this.prepare(message, now);
    // With a callback, crypto.sign runs on libuv's threadpool: RSA overlaps with socket I/O.
    const signature = await new Promise<Buffer>((resolve, reject) => {
      rsaSign('sha256', unsigned.data, this.key, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    });
    return appendSignature(unsigned.field, signature);
  }

  /** Same as sign(), on the calling thread. */
  signSync(message: FilledMessage, now: Date = new Date()): string {
    const unsigned = this.prepare(message, now);
    return appendSignature(unsigned.field, rsaSign('sha256', unsigned.data, this.key));
  }

  private prepare(message: FilledMessage, now: Date): Unsigned {
    const body = this.canonicalizeBody ? [relaxedBody(message.body)] : message.body;
    const hash = createHash('sha256');
    for (const chunk of body) hash.update(chunk);
    const { names, canonical } = selectSignedFields(message.headers);
    if (!names.includes('from')) {
      throw new Error('DKIM: the message has no From field (RFC 6376 §5.4 signs it)');
    }
    const field = foldSignatureField(
      [
        'v=1;',
        'a=rsa-sha256;',
        'c=relaxed/relaxed;',
        `d=${this.domain};`,
        `s=${this.selector};`,
        `t=${Math.floor(now.getTime() / 1000)};`,
        `bh=${hash.digest('base64')};`,
      ],
      names,
    );
    const data = canonical + relaxedHeader(field);
    if (data.length > this.scratch.length) this.scratch = Buffer.allocUnsafe(data.length * 2);
    return { field, data: this.scratch.subarray(0, this.scratch.write(data, 'latin1')) };
  }
}

/** The `dkim` option for nodemailer (10.x takes a KeyObject: no PEM parsing per mail, pitfall 5). */
export function nodemailerDkim(options: DkimOptions): NodemailerDkim {
  return {
    domainName: checkDomain(options.domain),
    keySelector: checkSelector(options.selector),
    privateKey: parsePrivateKey(options.privateKey),
    headerFieldNames: dkimSignedFields.join(':'),
  };
}

/**
 * RFC 6376 §3.4.4 relaxed body canonicalisation, for bodies that do not come from MimeTemplate. A bare LF
 * counts as a line end, as it will once a transport has turned it into CRLF (§5.3).
 */
export function relaxedBody(body: readonly Buffer[]): Buffer {
  const lines = Buffer.concat(body)
    .toString('latin1')
    .split(/\r?\n/)
    .map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return Buffer.from(lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`, 'latin1');
}

function parsePrivateKey(input: string | KeyObject): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    key = input;
  } else {
    // Node 20's OpenSSL reports a missing passphrase as "interrupted or cancelled": say what it means.
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(input)) {
      throw new Error('DKIM_PRIVATE_KEY: is encrypted; give the key without a passphrase');
    }
    try {
      // Environment variables often carry the PEM on one line with literal "\n".
      key = createPrivateKey(input.includes('\n') ? input : input.replace(/\\n/g, '\n'));
    } catch {
      throw new Error('DKIM_PRIVATE_KEY: is not an RSA private key in PEM form');
    }
  }
  // rsa-sha256 is RSASSA-PKCS1-v1_5 (RFC 6376 §3.3.1): an RSA-PSS key cannot make it.
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw new Error('DKIM_PRIVATE_KEY: is not an RSA private key in PEM form');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) {
    throw new Error(`DKIM_PRIVATE_KEY: the RSA key has ${bits} bits; DKIM needs at least 1024 (RFC 8301)`);
  }
  return key;
}

function checkDomain(domain: string): string {
  if (!domainName.test(domain)) throw new Error(`DKIM_DOMAIN: "${domain}" is not a domain name`);
  return domain.toLowerCase();
}

function checkSelector(selector: string): string {
  if (!selectorName.test(selector)) throw new Error(`DKIM_SELECTOR: "${selector}" is not a DNS label`);
  return selector;
}

/**
 * h= lists each present field once per instance, and the signed data takes instances from the bottom up
 * (RFC 6376 §5.4.2), which is how verifiers pick them.
 */
function selectSignedFields(headers: readonly string[]): { names: string[]; canonical: string } {
  const names: string[] = [];
  let canonical = '';
  const lowered = headers.map((field) => fieldNameOf(field));
  for (const name of dkimSignedFields) {
    for (let index = headers.length - 1; index >= 0; index -= 1) {
      if (lowered[index] !== name) continue;
      names.push(name);
      canonical += `${relaxedHeader(headers[index] as string)}\r\n`;
    }
  }
  return { names, canonical };
}

function fieldNameOf(field: string): string {
  return field
    .slice(0, field.indexOf(':'))
    .replace(/[ \t]+$/, '')
    .toLowerCase();
}

/** RFC 6376 §3.4.2: lower-case name, unfold, WSP runs to one SP, no WSP at the ends or around the colon. */
function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const value = field
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
  return `${fieldNameOf(field)}:${value}`;
}

/**
 * Folds between tags, and inside h= after a colon (FWS is allowed there, §3.5). The signed data is the
 * relaxed form of exactly this folded text, so where it folds does not matter to verifiers.
 */
function foldSignatureField(tags: readonly string[], names: readonly string[]): string {
  const words: Array<readonly [glue: string, word: string]> = [
    ...tags.map((tag) => [' ', tag] as const),
    ...names.map((name, index) => {
      const word = `${index === 0 ? 'h=' : ''}${name}${index === names.length - 1 ? ';' : ':'}`;
      return [index === 0 ? ' ' : '', word] as const;
    }),
    [' ', 'b='],
  ];
  let out = 'DKIM-Signature:';
  let lineLength = out.length;
  for (const [glue, word] of words) {
    if (lineLength + glue.length + word.length > foldWidth) {
      out += `\r\n ${word}`;
      lineLength = 1 + word.length;
    } else {
      out += glue + word;
      lineLength += glue.length + word.length;
    }
  }
  return out;
}

/** b= is removed with its FWS before verification (§3.7), so folding the base64 is free. */
function appendSignature(field: string, signature: Buffer): string {
  const base64 = signature.toString('base64');
  const lastLine = field.length - field.lastIndexOf('\n') - 1;
  const first = Math.max(0, foldWidth - lastLine);
  let out = field + base64.slice(0, first);
  for (let offset = first; offset < base64.length; offset += foldWidth - 1) {
    out += `\r\n ${base64.slice(offset, offset + foldWidth - 1)}`;
  }
  return out;
}
