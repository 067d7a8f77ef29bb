// Where issue mail goes, as connections the sender keeps busy: the pipelined SMTP client to a relay,
// or the local mailbox when no relay is configured (so a new site sees its issue exactly as sent).
import type { ConnectionOptions } from 'node:tls';
import { securePrivateDir } from '../config/private-files.js';
import { type SendOutcome, type SmtpClientOptions, SmtpConnection } from '../mail/smtp-client.js';
import { saveToMailbox } from '../mail/transport.js';

export interface Envelope {
  from: string;
  to: string;
}

export interface RelayConnection {
  /** Outcomes resolve in call order; a broken connection rejects this and every later message. */
  send(envelope: Envelope, message: readonly Buffer[], messageId: string): Promise<SendOutcome>;
  quit(): Promise<void>;
  destroy(): void;
}

export interface Relay {
  readonly description: string;
  open(): Promise<RelayConnection>;
}

export function smtpRelay(url: string, tls?: ConnectionOptions): Relay {
  const options: SmtpClientOptions = { url, ...(tls ? { tls } : {}) };
  const parsed = new URL(url);
  return {
    description: `SMTP relay ${parsed.protocol}//${parsed.host}`,
    async open() {
      const connection = await SmtpConnection.open(options);
      return {
        send: (envelope, message) => connection.send(envelope, message),
        quit: () => connection.quit(),
        destroy: () => connection.destroy(),
      };
    },
  };
}

const accepted: SendOutcome = { accepted: true, reply: { code: 250, enhanced: '2.0.0', text: 'saved' } };

export function mailboxRelay(dir: string, now: () => Date): Relay {
  securePrivateDir(dir);
  return {
    description: `local mailbox ${dir}`,
    async open() {
      return {
        async send(_envelope, message, messageId) {
          await saveToMailbox(dir, messageId, now(), message);
          return accepted;
        },
        quit: async () => undefined,
        destroy: () => undefined,
      };
    },
  };
}
