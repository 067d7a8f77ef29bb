// Personal, verifiable addresses for what comes back: the envelope sender (VERP) and the Message-ID of
// each mail name the issue (or outbox row) and the reader, with an HMAC, so that a bounce or a complaint
// finds its reader without a row per mail, and nobody can forge one to unsubscribe someone else.
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

export type MailRef =
  | { kind: 'issue'; issueId: number; subscriberId: number }
  | { kind: 'outbox'; outboxId: number; subscriberId: number | null };

/** 64 bits of hex: local parts may be lowercased on the way back, so no case-sensitive alphabet. */
const macLength = 16;
const verpPattern = /^bounces\+([io])(\d{1,15})-(\d{1,15})-([0-9a-f]{16})@/i;
const messageIdPattern = /^<?([io])\.(\d{1,15})\.(\d{1,15})\.([0-9a-f]{16})@/i;

export class VerpCodec {
  /** A KeyObject: OpenSSL imports the key once, not on each of the mails' HMACs. */
  private readonly key: KeyObject;

  constructor(
    secret: string,
    /** The domain whose MX reaches the bounce listener. */
    readonly bounceDomain: string,
  ) {
    this.key = createSecretKey(createHmac('sha256', secret).update('errorbudget verp v1').digest());
  }

  /** The envelope sender (Return-Path) of one mail: bounces+i12-345-<mac>@bounce domain. */
  returnPath(ref: MailRef): string {
    const [letter, id, subscriber] = parts(ref);
    return `bounces+${letter}${id}-${subscriber}-${this.mac(letter, id, subscriber)}@${this.bounceDomain}`;
  }

  /** Deterministic per (issue, reader): a copy sent again after a crash is recognisably the same mail. */
  messageId(ref: MailRef, domain: string): string {
    const [letter, id, subscriber] = parts(ref);
    return `<${letter}.${id}.${subscriber}.${this.mac(letter, id, subscriber)}@${domain}>`;
  }

  /** The mail a VERP address stands for, or undefined when it is not one of ours. */
  parseReturnPath(address: string): MailRef | undefined {
    return this.check(verpPattern.exec(address.trim()));
  }

  /** The mail an original Message-ID stands for (reports that lost the envelope still quote it). */
  parseMessageId(messageId: string): MailRef | undefined {
    return this.check(messageIdPattern.exec(messageId.trim()));
  }

  private check(match: RegExpExecArray | null): MailRef | undefined {
    if (!match) return undefined;
    const [, letter = '', id = '', subscriber = '', mac = ''] = match;
    const kind = letter.toLowerCase() === 'i' ? 'issue' : 'outbox';
    const expected = Buffer.from(this.mac(kind === 'issue' ? 'i' : 'o', Number(id), Number(subscriber)));
    const given = Buffer.from(mac.toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return kind === 'issue'
      ? { kind, issueId: Number(id), subscriberId: Number(subscriber) }
      : { kind, outboxId: Number(id), subscriberId: Number(subscriber) || null };
  }

  private mac(letter: string, id: number, subscriber: number): string {
    return createHmac('sha256', this.key)
      .update(`${letter}.${id}.${subscriber}`)
      .digest('hex')
      .slice(0, macLength);
  }
}

function parts(ref: MailRef): [string, number, number] {
  return ref.kind === 'issue'
    ? ['i', ref.issueId, ref.subscriberId]
    : ['o', ref.outboxId, ref.subscriberId ?? 0];
}
