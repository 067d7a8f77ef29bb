// Where mail goes: an SMTP relay when SMTP_URL is set, otherwise a local mailbox in the data folder.
// Both build the same RFC 5322 message with nodemailer, so what you read locally is what a relay gets.
import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { securePrivateDir } from '../config/private-files.js';
import type { NodemailerDkim } from './dkim-signer.js';
import type { MailMessage } from './mail-message.js';
import { classifyReply, enhancedStatusOf, type ReplyClass, type ReplyStage } from './reply-class.js';

export interface OutgoingMail extends MailMessage {
  from: string;
  messageId: string;
  date: Date;
  /** The envelope sender (a VERP address), where bounces go. */
  returnPath?: string;
}

export interface Transport {
  /** For the log line that says where mail goes; never includes credentials. */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  /**
   * Connects, greets and logs in to the relay without sending anything (the admin's relay test);
   * throws a DeliveryError naming the stage that failed. The local mailbox has nothing to check.
   */
  verify(): Promise<void>;
  close(): void;
}

/** A refusal or failure, with the stage it came at and how it is judged. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly stage: ReplyStage,
    readonly code: number | undefined,
    readonly replyClass: ReplyClass,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** nodemailer names the command a reply answered; after the body it still says DATA, with EMESSAGE. */
function stageOf(error: { code?: string; command?: string }): ReplyStage {
  const command = error.command ?? '';
  if (error.code === 'EAUTH' || command.startsWith('AUTH')) return 'auth';
  if (command === 'MAIL FROM') return 'mail';
  if (command === 'RCPT TO') return 'rcpt';
  if (command === 'DATA') return error.code === 'EMESSAGE' ? 'message' : 'data';
  if (command === 'EHLO' || command === 'HELO' || command === 'LHLO') return 'ehlo';
  if (command === 'STARTTLS') return 'starttls';
  return 'connect';
}

export function deliveryErrorOf(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as { code?: string; command?: string; responseCode?: number; response?: string };
  const stage = stageOf(e);
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reply = e.response ?? (error instanceof Error ? error.message : String(error));
  const status = enhancedStatusOf(reply.replace(/^\d{3}[ -]/, ''));
  return new DeliveryError(
    `${stage}: ${reply}`.slice(0, 500),
    stage,
    code,
    classifyReply(stage, code, status),
  );
}

export interface SmtpTransportOptions {
  /** Connections kept open to the relay. */
  pool: number;
  /** nodemailer's DKIM option, when mail is signed. */
  dkim?: NodemailerDkim;
}

function toNodemailer(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    ...(mail.returnPath ? { envelope: { from: mail.returnPath, to: mail.to } } : {}),
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: mail.headers,
    messageId: mail.messageId,
    date: mail.date,
  };
}

export function smtpTransport(smtpUrl: string, options: SmtpTransportOptions): Transport {
  const url = new URL(smtpUrl);
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: options.pool,
    ...(options.dkim ? { dkim: options.dkim } : {}),
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
        throw deliveryErrorOf(error);
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (error) {
        throw deliveryErrorOf(error);
      }
    },
    close: () => transporter.close(),
  };
}

export function mailboxTransport(dir: string): Transport {
  securePrivateDir(dir);
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `local mailbox ${dir} (read it with: errorbudget mailbox)`,
    async send(mail) {
      const info = await composer.sendMail(toNodemailer(mail));
      await saveToMailbox(dir, mail.messageId, mail.date, info.message as Buffer);
    },
    verify: async () => securePrivateDir(dir),
    close: () => composer.close(),
  };
}

/** Named by Message-ID: delivering the same mail twice after a crash leaves one file. */
export async function saveToMailbox(
  dir: string,
  messageId: string,
  date: Date,
  message: Buffer | readonly Buffer[],
): Promise<void> {
  const name = `${date.toISOString().replace(/[:.]/g, '-')}_${messageId.replace(/[^A-Za-z0-9@.-]/g, '')}.eml`;
  const temporary = join(dir, `.${name}.tmp`);
  // Mail holds a reader's address and personal links: the owner's alone, whatever the umask.
  await writeFile(temporary, Buffer.isBuffer(message) ? message : Buffer.concat(message), { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, join(dir, name));
}
