// The sample reports of test/fixtures/bounces, filled with the VERP address and Message-ID of one of our
// mails, and a way to deliver one to a bounce listener as an MTA would (null sender).
import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { MailRef, VerpCodec } from '../../src/delivery/verp.js';

export function bounceSample(name: string, codec: VerpCodec, mail: MailRef, domain = 'example.org'): string {
  return readFileSync(new URL(`../fixtures/bounces/${name}.eml`, import.meta.url), 'utf8')
    .replaceAll('{{verp}}', codec.returnPath(mail))
    .replaceAll('{{messageId}}', codec.messageId(mail, domain));
}

export function sendReport(port: number, raw: string, to: string, tls?: 'require') {
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ...(tls ? { requireTLS: true, tls: { rejectUnauthorized: false } } : { ignoreTLS: true }),
  });
  return transport.sendMail({ envelope: { from: '', to }, raw });
}
