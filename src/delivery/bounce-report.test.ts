// Classification of the sample reports (test/fixtures/bounces) and of the edge cases the samples hide.
import { describe, expect, it } from 'vitest';
import { bounceSample } from '../../test/support/bounce-samples.js';
import { type BounceClass, classifyStatus, parseReport } from './bounce-report.js';
import { type MailRef, VerpCodec } from './verp.js';

const verp = new VerpCodec('test secret', 'bounce.example.org');
const issue = (subscriberId: number): MailRef => ({ kind: 'issue', issueId: 12, subscriberId });

/** A sample with our VERP address and Message-ID for `ref` filled in (the HMAC depends on the secret). */
const sample = (name: string, ref: MailRef, codec = verp) => bounceSample(name, codec, ref);

const samples: [string, MailRef, { class: BounceClass; status: string; kind: string } | undefined][] = [
  ['postfix-5.1.1', issue(101), { class: 'hard', status: '5.1.1', kind: 'dsn' }],
  [
    'delayed-4.2.2',
    { kind: 'outbox', outboxId: 7, subscriberId: 102 },
    { class: 'soft', status: '4.2.2', kind: 'dsn' },
  ],
  ['exchange-5.1.10', issue(103), { class: 'hard', status: '5.1.10', kind: 'dsn' }],
  ['gmail-two-recipients', issue(104), { class: 'policy', status: '5.7.26', kind: 'dsn' }],
  ['qmail', issue(105), { class: 'hard', status: '5.1.1', kind: 'text' }],
  ['arf-abuse', issue(106), { class: 'complaint', status: 'abuse', kind: 'arf' }],
  ['jmrp', issue(107), { class: 'complaint', status: 'abuse', kind: 'arf' }],
  ['out-of-office', issue(108), undefined],
];

describe('parseReport on the sample reports', () => {
  it.each(samples)('judges %s and finds the mail it is about', async (name, ref, expected) => {
    const report = await parseReport(sample(name, ref), verp);
    if (expected) expect(report.verdict).toMatchObject(expected);
    else expect(report.verdict).toBeUndefined();
    expect(report.refs[0]).toEqual(ref);
  });

  it.each(samples)('keeps no address in the diagnostic of %s', async (name, ref) => {
    const diagnostic = (await parseReport(sample(name, ref), verp)).verdict?.diagnostic ?? '';
    expect(diagnostic).not.toMatch(/@/);
    expect(diagnostic.length).toBeLessThanOrEqual(500);
  });

  it('keeps the remote reply as the diagnostic, without its "smtp;" type', async () => {
    const { verdict } = await parseReport(sample('postfix-5.1.1', issue(1)), verp);
    expect(verdict?.diagnostic).toBe(
      '550 5.1.1 <[address]>: Recipient address rejected: User unknown in virtual mailbox table',
    );
  });

  it('reads a report with CRLF line endings, as it arrives over SMTP, the same way', async () => {
    const crlf = sample('exchange-5.1.10', issue(2)).replace(/\n/g, '\r\n');
    expect(await parseReport(Buffer.from(crlf), verp)).toEqual(
      await parseReport(sample('exchange-5.1.10', issue(2)), verp),
    );
  });

  it('finds no mail of ours when the HMAC was made with another secret', async () => {
    const forged = sample('postfix-5.1.1', issue(3), new VerpCodec('guessed', 'bounce.example.org'));
    const report = await parseReport(forged, verp);
    expect(report.refs).toEqual([]);
    expect(report.verdict?.class).toBe('hard');
  });
});

describe('parseReport with several recipients', () => {
  const gmail = sample('gmail-two-recipients', issue(4));

  it('takes a hard failure over a policy failure in the same report', async () => {
    const both = gmail.replace('Action: delivered\nStatus: 2.0.0', 'Action: failed\nStatus: 5.1.1');
    expect((await parseReport(both, verp)).verdict).toMatchObject({ class: 'hard', status: '5.1.1' });
  });

  it('ignores a report whose recipients were all delivered', async () => {
    const none = gmail.replace('Action: failed\nStatus: 5.7.26', 'Action: delivered\nStatus: 2.0.0');
    expect((await parseReport(none, verp)).verdict).toBeUndefined();
  });

  it("takes the remote's specific code when the DSN declares only 5.0.0", async () => {
    const generic = sample('postfix-5.1.1', issue(5)).replace('Status: 5.1.1', 'Status: 5.0.0');
    expect((await parseReport(generic, verp)).verdict).toMatchObject({ class: 'hard', status: '5.1.1' });
  });
});

describe('parseReport on feedback reports and text bounces', () => {
  it('ignores a not-spam feedback report', async () => {
    const raw = sample('arf-abuse', issue(6)).replace('Feedback-Type: abuse', 'Feedback-Type: not-spam');
    expect((await parseReport(raw, verp)).verdict).toBeUndefined();
  });

  it('treats an auth-failure feedback report (RFC 6591) as our problem, not a complaint', async () => {
    const raw = sample('arf-abuse', issue(7)).replace('Feedback-Type: abuse', 'Feedback-Type: auth-failure');
    expect((await parseReport(raw, verp)).verdict).toMatchObject({ class: 'policy', status: 'auth-failure' });
  });

  it('calls a text bounce with no code soft, not misled by the codes in the quoted newsletter', async () => {
    const raw = sample('qmail', issue(8)).replace(/Remote host said: .*\n/, 'Connection refused.\n');
    expect((await parseReport(raw, verp)).verdict).toMatchObject({ class: 'soft', status: undefined });
  });

  it('reads a bare SMTP code in a text bounce when there is no enhanced code', async () => {
    const raw = sample('qmail', issue(9)).replace('550 5.1.1', '554');
    const mailboxFull = raw.replace('User unknown', 'Mailbox full');
    expect((await parseReport(raw, verp)).verdict).toMatchObject({ class: 'hard', status: '554' });
    expect((await parseReport(mailboxFull, verp)).verdict).toMatchObject({ class: 'soft', status: '554' });
  });

  it('still ignores an auto-reply whose text mentions an SMTP code', async () => {
    const raw = sample('out-of-office', issue(10));
    expect(raw).toMatch(/a 550 from/);
    expect((await parseReport(raw, verp)).verdict).toBeUndefined();
  });
});

describe('classifyStatus', () => {
  it.each([
    ['5.1.1', 'hard'],
    ['5.1.10', 'hard'],
    ['5.2.1', 'hard'],
    ['5.0.0', 'hard'],
    ['5.2.2', 'soft'],
    ['4.2.2', 'soft'],
    ['4.4.7', 'soft'],
    ['5.7.26', 'policy'],
    ['5.7.1', 'policy'],
    ['5.3.4', 'policy'],
    ['5.4.4', 'policy'],
    ['5.5.0', 'policy'],
    ['5.1.8', 'policy'],
    ['5.2.3', 'policy'],
    ['2.0.0', undefined],
  ])('classifies %s as %s', (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });

  it('reads the words of a generic 5.0.0', () => {
    expect(classifyStatus('5.0.0', '550 5.0.0 Message rejected: listed on a DNS blocklist')).toBe('policy');
    expect(classifyStatus('5.0.0', '550 5.0.0 Mailbox full')).toBe('soft');
  });
});
