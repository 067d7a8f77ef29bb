// The bounce listener over real SMTP: who may deliver to it, what it hands on, and what it answers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BounceListenerOptions, startBounceListener } from '../src/delivery/bounce-listener.js';
import type { BounceVerdict } from '../src/delivery/bounce-report.js';
import { type MailRef, VerpCodec } from '../src/delivery/verp.js';
import { bounceSample, sendReport } from './support/bounce-samples.js';

const verp = new VerpCodec('test secret', 'bounce.example.org');
const ref: MailRef = { kind: 'issue', issueId: 12, subscriberId: 345 };

const sample = (name: string, mail: MailRef = ref, codec = verp) => bounceSample(name, codec, mail);

interface Harness {
  port: number;
  reports: [MailRef, BounceVerdict][];
  logs: string[];
  close(): Promise<void>;
}
let running: Harness[] = [];

async function listen(options: Partial<BounceListenerOptions> = {}): Promise<Harness> {
  const reports: [MailRef, BounceVerdict][] = [];
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const onReport = async (mail: MailRef, verdict: BounceVerdict) => void reports.push([mail, verdict]);
  const listener = await startBounceListener({ port: 0, host: '127.0.0.1', verp, log, onReport, ...options });
  const harness = { port: listener.port, reports, logs, close: listener.close };
  running.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(running.map((h) => h.close()));
  running = [];
});

/** Sends a raw report with a null sender, as an MTA sends a DSN. */
const send = sendReport;

/** One reply per command, read one at a time; the data item is sent with its terminating dot. */
async function talk(port: number, commands: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waiting: ((reply: string) => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (
      let m = /^(?:\d{3}-.*\r\n)*\d{3}(?: .*)?\r\n/.exec(buffer);
      m;
      m = /^(?:\d{3}-.*\r\n)*\d{3}(?: .*)?\r\n/.exec(buffer)
    ) {
      buffer = buffer.slice(m[0].length);
      waiting.shift()?.(m[0].trimEnd());
    }
  });
  const reply = () => new Promise<string>((resolve) => waiting.push(resolve));
  const replies = [await reply()];
  for (const command of commands) {
    const next = reply();
    socket.write(`${command}\r\n`);
    replies.push(await next);
  }
  socket.end();
  return replies.slice(1);
}

describe('the bounce listener', () => {
  it('accepts a DSN to a valid VERP address and hands on that mail with its verdict', async () => {
    const listener = await listen();
    await send(listener.port, sample('postfix-5.1.1'), verp.returnPath(ref));
    expect(listener.reports).toEqual([[ref, expect.objectContaining({ class: 'hard', status: '5.1.1' })]]);
  });

  it('judges by the VERP recipient, even when the report quotes another of our mails', async () => {
    const listener = await listen();
    const other: MailRef = { kind: 'outbox', outboxId: 9, subscriberId: 77 };
    await send(listener.port, sample('gmail-two-recipients', other), verp.returnPath(ref));
    expect(listener.reports).toEqual([[ref, expect.objectContaining({ class: 'policy', status: '5.7.26' })]]);
  });

  it('accepts a null sender and refuses a forged VERP, a stranger and another domain with 550 at RCPT', async () => {
    const listener = await listen();
    const forged = new VerpCodec('guessed', 'bounce.example.org').returnPath(ref);
    const elsewhere = verp.returnPath(ref).replace('bounce.example.org', 'example.net');
    const replies = await talk(listener.port, [
      'EHLO mta.example.net',
      'MAIL FROM:<>',
      `RCPT TO:<${forged}>`,
      'RCPT TO:<postmaster@bounce.example.org>',
      `RCPT TO:<${elsewhere}>`,
      'QUIT',
    ]);
    expect(replies[1]).toMatch(/^250 /);
    expect(replies.slice(2, 5)).toEqual(Array(3).fill(expect.stringMatching(/^550 5\.1\.1 /)));
    await expect(send(listener.port, sample('postfix-5.1.1'), forged)).rejects.toMatchObject({
      responseCode: 550,
    });
    expect(listener.reports).toEqual([]);
  });

  it('refuses an oversized report with 552 and hands nothing on', async () => {
    const listener = await listen({ maxBytes: 4096 });
    const padding = `${'x'.repeat(70)}\r\n`.repeat(100);
    const replies = await talk(listener.port, [
      'EHLO mta.example.net',
      'MAIL FROM:<>',
      `RCPT TO:<${verp.returnPath(ref)}>`,
      'DATA',
      `${sample('postfix-5.1.1').replace(/\n/g, '\r\n')}${padding}.`,
      'QUIT',
    ]);
    expect(replies[0]).toMatch(/SIZE 4096/);
    expect(replies[4]).toMatch(/^552 /);
    expect(listener.reports).toEqual([]);
  });

  it('answers 451 when recording fails, so that the retry delivers the report', async () => {
    let failures = 1;
    const reports: MailRef[] = [];
    const listener = await listen({
      onReport: async (mail) => {
        if (failures-- > 0) throw new Error(`database locked while writing ${verp.returnPath(mail)}`);
        reports.push(mail);
      },
    });
    const raw = sample('exchange-5.1.10');
    await expect(send(listener.port, raw, verp.returnPath(ref))).rejects.toMatchObject({ responseCode: 451 });
    await send(listener.port, raw, verp.returnPath(ref));
    expect(reports).toEqual([ref]);
  });

  it('accepts an ARF at the complaint address and finds the mail by its original Message-ID', async () => {
    const listener = await listen();
    await send(listener.port, sample('jmrp'), 'fbl@bounce.example.org');
    expect(listener.reports).toEqual([
      [ref, expect.objectContaining({ class: 'complaint', status: 'abuse' })],
    ]);
  });

  it('accepts but drops a complaint that names none of our mails, and logs only its class', async () => {
    const listener = await listen();
    const stranger = sample('jmrp', ref, new VerpCodec('someone else', 'bounce.example.org'));
    await send(listener.port, stranger, 'fbl@bounce.example.org');
    expect(listener.reports).toEqual([]);
    expect(listener.logs.join('')).toMatch(/"class":"complaint".*names none of our mails/);
  });

  it('accepts and ignores an out-of-office reply', async () => {
    const listener = await listen();
    await send(listener.port, sample('out-of-office'), verp.returnPath(ref));
    expect(listener.reports).toEqual([]);
  });

  it('never writes an address to its log, even from a failing recorder', async () => {
    const listener = await listen({
      onReport: async (mail) => Promise.reject(new Error(verp.returnPath(mail))),
    });
    await send(listener.port, sample('qmail'), verp.returnPath(ref)).catch(() => undefined);
    await send(listener.port, sample('arf-abuse'), 'fbl@bounce.example.org').catch(() => undefined);
    await send(listener.port, sample('qmail'), 'nobody@bounce.example.org').catch(() => undefined);
    expect(listener.logs.length).toBeGreaterThan(1);
    expect(listener.logs.join('')).not.toMatch(/@/);
  });
});

describe('the bounce listener with a certificate', () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bounce-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=bounce.example.org',
      ]),
      { stdio: 'ignore' },
    );
    tls = { key: readFileSync(key), cert: readFileSync(cert) };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('offers STARTTLS and takes a report over it', async () => {
    const listener = await listen({ tls });
    await send(listener.port, sample('delayed-4.2.2'), verp.returnPath(ref), 'require');
    expect(listener.reports).toEqual([[ref, expect.objectContaining({ class: 'soft', status: '4.2.2' })]]);
  });

  it('does not offer STARTTLS without one, and never requires it', async () => {
    const plain = await listen();
    const [ehlo] = await talk(plain.port, ['EHLO mta.example.net', 'QUIT']);
    expect(ehlo).not.toMatch(/STARTTLS/);
    const secured = await listen({ tls });
    await send(secured.port, sample('postfix-5.1.1'), verp.returnPath(ref));
    expect(secured.reports).toHaveLength(1);
  });
});
