// Where mail goes: an SMTP relay when SMTP_URL is set, otherwise a local mailbox in the data folder.
// Both build the same RFC 5322 message with nodemailer, so what you read locally is what a relay gets.
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailMessage } from './mail-message.js';

export interface OutgoingMail extends MailMessage {
  from: string;
  messageId: string;
  date: Date;
}

export interface Transport {
  /** For the log line that says where mail goes; never includes credentials. */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A failure the relay says will not get better (5xx): retrying would only annoy it. */
export class PermanentDeliveryError extends Error {}

function toNodemailer(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: mail.headers,
    messageId: mail.messageId,
    date: mail.date,
  };
}

export function smtpTransport(smtpUrl: string): Transport {
  const url = new URL(smtpUrl);
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: 4,
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
    secure: url.protocol === 'smtps:',
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  return {
    description: `SMTP relay ${url.protocol}//${url.host}`,
    async send(mail) {
      try {
        await transporter.sendMail(toNodemailer(mail));
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600) {
          throw new PermanentDeliveryError((error as Error).message);
        }
        throw error;
      }
    },
    close: () => transporter.close(),
  };
}

export function mailboxTransport(dir: string): Transport {
  mkdirSync(dir, { recursive: true });
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `local mailbox ${dir} (read it with: errorbudget mailbox)`,
    async send(mail) {
      const info = await composer.sendMail(toNodemailer(mail));
      // Named by Message-ID: delivering the same outbox row twice after a crash leaves one file.
      const name = `${mail.date.toISOString().replace(/[:.]/g, '-')}_${mail.messageId.replace(/[^A-Za-z0-9@.-]/g, '')}.eml`;
      const temporary = join(dir, `.${name}.tmp`);
      await writeFile(temporary, info.message as Buffer);
      await rename(temporary, join(dir, name));
    },
    close: () => composer.close(),
  };
}
