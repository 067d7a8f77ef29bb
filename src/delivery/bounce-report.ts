// Reads what comes back for a mail we sent (a DSN, RFC 3464; a complaint, RFC 5965; or a plain-text bounce):
// whether it is a failure, of which class, and which of our mails it is about.
import PostalMime, { type Attachment, type Email } from 'postal-mime';
import { redactAddresses } from './redact.js';
import type { MailRef, VerpCodec } from './verp.js';

export type BounceClass = 'hard' | 'soft' | 'policy' | 'complaint';
export interface BounceVerdict {
  class: BounceClass;
  kind: 'dsn' | 'arf' | 'text';
  /** Enhanced status ('5.1.1'), the ARF Feedback-Type ('abuse'), or a bare SMTP code ('550') from a text bounce. */
  status: string | undefined;
  /** Diagnostic-Code or human text, addresses redacted, ≤ 500 chars. */
  diagnostic: string;
}
export interface ParsedReport {
  /** undefined: not a failure (delivered/relayed/expanded only, not-spam, an auto-reply) → ignore. */
  verdict: BounceVerdict | undefined;
  /** Our mails named inside the report, each checked with the codec; returned headers first, body text last. */
  refs: MailRef[];
}

type Fields = Map<string, string>;

/**
 * Which failure decides when a report lists several: the one that says most about a reader's mailbox.
 * A policy failure says nothing about the reader, so it must not hide a dead mailbox listed beside it.
 */
const severity: Record<BounceClass, number> = { policy: 1, soft: 2, hard: 3, complaint: 4 };
const dsnTypes = new Set(['message/delivery-status', 'message/global-delivery-status']);
const returnedTypes = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global-headers',
]);
const enhancedCode = /(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?!\d|\.\d)/;
const failureCode = /(?<![\d.])[45]\.\d{1,3}\.\d{1,3}(?!\d|\.\d)/;
const smtpCode = /(?<![\d.])[45][0-5]\d(?=[ -])/;
const hardWords =
  /user unknown|unknown user|no such (user|mailbox|recipient)|does ?n[o']t exist|not found|invalid (recipient|mailbox)|mailbox unavailable|address rejected|account (is |has been )?disabled/i;
const softWords = /mailbox (is )?full|over ?quota|quota exceeded|insufficient (system )?storage/i;
const policyWords =
  /spam|blocked|block ?list|black ?list|dmarc|\bspf\b|dkim|policy|reputation|not authori[sz]ed/i;
const bounceWords =
  /undeliver|delivery (status notification|has failed|failed|failure)|failure notice|returned mail|returning message to sender|(could ?n[o']t|wasn't able to) (be )?deliver|permanent error|qmail-send program/i;
const daemonSender = /^(mailer-daemon|postmaster|mail-daemon)@/i;
const autoReplySubject =
  /^(auto(matic)?[ -]?(reply|response)|out of (the )?office|abwesenheit|r[ée]ponse automatique)/i;
/** Where a text bounce starts quoting our mail (qmail, Exim, Sendmail, generic): the newsletter's own words follow. */
const returnedCopy =
  /^(-+ ?below this line is a copy|-+ ?this is a copy of the message|-+ ?original message|-+ ?the header of the original|return-path:|received:)/im;
const messageIdToken = /(?<![\w.+=-])[io]\.\d{1,15}\.\d{1,15}\.[0-9a-f]{16}@[A-Za-z0-9.-]*[A-Za-z0-9]/gi;
const verpToken = /bounces\+[io]\d{1,15}-\d{1,15}-[0-9a-f]{16}@[A-Za-z0-9.-]*[A-Za-z0-9]/gi;

export async function parseReport(raw: Buffer | string, verp: VerpCodec): Promise<ParsedReport> {
  // Forced: an inlined returned message would merge our newsletter's text into the report's (and its codes).
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'utf8', forceRfc822Attachments: true });
  return { verdict: judge(email), refs: findRefs(email, verp) };
}

function judge(email: Email): BounceVerdict | undefined {
  const feedback = email.attachments.find((a) => a.mimeType === 'message/feedback-report');
  if (feedback) return complaintVerdict(parseFields(content(feedback)), email);
  const dsn = email.attachments.find((a) => dsnTypes.has(a.mimeType));
  // Per-message fields never carry Action/Status; some MTAs drop the per-message group, so no position is assumed.
  const recipients = fieldGroups(dsn ? content(dsn) : '').filter((g) => g.has('action') || g.has('status'));
  if (recipients.length === 0) return textVerdict(email);
  let worst: BounceVerdict | undefined;
  for (const fields of recipients) {
    const verdict = recipientVerdict(fields);
    if (verdict && (!worst || severity[verdict.class] > severity[worst.class])) worst = verdict;
  }
  return worst;
}

/** Classifies an enhanced status code (RFC 3463); `text` refines the undefined x.0.0 detail. */
export function classifyStatus(status: string, text = ''): BounceClass | undefined {
  const [klass, subject, detail] = status.split('.').map(Number);
  if (klass === 4) return 'soft';
  if (klass !== 5) return undefined;
  switch (subject) {
    case 0:
      return classifyWords(text) ?? 'hard';
    case 1: // x.1.7 and x.1.8 are about the *sender's* address: ours, not the reader's.
      return detail === 7 || detail === 8 ? 'policy' : 'hard';
    case 2: // x.2.2 mailbox full is temporary by nature; x.2.3 means our message is too long.
      return detail === 2 ? 'soft' : detail === 3 ? 'policy' : 'hard';
    case 3:
    case 4:
    case 5:
    case 6:
    case 7: // system, routing, protocol, content, security: the sender's problem (research pitfall 10).
      return 'policy';
    default:
      return 'hard';
  }
}

function classifyWords(text: string): BounceClass | undefined {
  if (hardWords.test(text)) return 'hard';
  if (softWords.test(text)) return 'soft';
  return policyWords.test(text) ? 'policy' : undefined;
}

function recipientVerdict(fields: Fields): BounceVerdict | undefined {
  const action = (fields.get('action') ?? '').toLowerCase().split(/[\s(;]/)[0] ?? '';
  if (['delivered', 'relayed', 'expanded'].includes(action)) return undefined;
  const diagnostic = withoutType(fields.get('diagnostic-code') ?? '');
  const declared = enhancedCode.exec(fields.get('status') ?? '')?.[0];
  const quoted = failureCode.exec(diagnostic)?.[0];
  // Sendmail and older Exchange declare a generic x.0.0 while the remote's reply quotes the real reason.
  const status = declared?.endsWith('.0.0') && quoted?.[0] === declared[0] ? quoted : (declared ?? quoted);
  const text = diagnostic || (fields.get('status') ?? '');
  if (action === 'delayed') return verdict('soft', 'dsn', status, text);
  const found = status ? classifyStatus(status, diagnostic) : undefined;
  // "failed" is final (RFC 3464 §2.3.3) even with a missing or nonsense status: count it, but only as soft.
  const verdictClass = found ?? (action === 'failed' ? 'soft' : undefined);
  return verdictClass && verdict(verdictClass, 'dsn', status, text);
}

function complaintVerdict(fields: Fields, email: Email): BounceVerdict | undefined {
  const type = (fields.get('feedback-type') ?? 'other').toLowerCase();
  if (type === 'not-spam') return undefined;
  const agent = fields.get('user-agent');
  const text = `${type} report${agent ? ` by ${agent}` : ''}: ${email.text ?? ''}`;
  // RFC 6591 auth-failure reports are about our DKIM/SPF/DMARC, not about what the reader wants.
  return verdict(type === 'auth-failure' ? 'policy' : 'complaint', 'arf', type, text);
}

function textVerdict(email: Email): BounceVerdict | undefined {
  const body = lf(email.text ?? (email.html ?? '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' '));
  const text = body.slice(0, returnedCopy.exec(body)?.index ?? body.length);
  if (!looksLikeBounce(email, text)) return undefined;
  const match = failureCode.exec(text) ?? smtpCode.exec(text);
  if (!match) return verdict(policyWords.test(text) ? 'policy' : 'soft', 'text', undefined, text);
  const code = match[0];
  const paragraph = paragraphAround(text, match.index);
  if (code.includes('.')) return verdict(classifyStatus(code, paragraph) ?? 'soft', 'text', code, paragraph);
  // A bare reply code is vague (550 covers both "no such user" and "spam"): words first, then RFC 5321's meaning.
  const byCode = code.startsWith('4') || code === '552' ? 'soft' : /^55[013]$/.test(code) ? 'hard' : 'soft';
  return verdict(classifyWords(paragraph) ?? byCode, 'text', code, paragraph);
}

function looksLikeBounce(email: Email, text: string): boolean {
  if (daemonSender.test(email.from?.address ?? '') || bounceWords.test(email.subject ?? '')) return true;
  // RFC 3834 auto-replies (vacation, out of office) go to the Return-Path too, and are not failures.
  const header = (key: string) => email.headers.find((h) => h.key === key)?.value.toLowerCase() ?? '';
  const autoReply =
    header('auto-submitted').startsWith('auto-replied') ||
    header('precedence') === 'auto_reply' ||
    email.headers.some((h) => h.key === 'x-autoreply' || h.key === 'x-autorespond') ||
    autoReplySubject.test(email.subject ?? '');
  return !autoReply && bounceWords.test(text);
}

function paragraphAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n\n', index);
  const end = text.indexOf('\n\n', index);
  return text.slice(Math.max(0, start), end < 0 ? undefined : end);
}

function verdict(cls: BounceClass, kind: BounceVerdict['kind'], status: string | undefined, text: string) {
  const flat = redactAddresses(text.replace(/\s+/g, ' ').trim(), Number.POSITIVE_INFINITY);
  // redactAddresses wants a dotted domain; MAILER-DAEMON@localhost or user@[192.0.2.1] must go as well.
  const diagnostic = flat.replace(/[^\s<>()[\]"',;:]*@\S*/g, '[address]').slice(0, 500);
  return { class: cls, kind, status, diagnostic } satisfies BounceVerdict;
}

function findRefs(email: Email, verp: VerpCodec): MailRef[] {
  const returned = email.attachments.filter((a) => returnedTypes.has(a.mimeType));
  const reports = email.attachments.filter(
    (a) => dsnTypes.has(a.mimeType) || a.mimeType.endsWith('feedback-report'),
  );
  const threading = email.headers.filter((h) => h.key === 'in-reply-to' || h.key === 'references');
  const texts = [
    ...returned.map((a) => blocks(content(a))[0] ?? ''),
    ...reports.map(content),
    email.text ?? '',
    ...threading.map((h) => h.value),
  ];
  const refs = new Map<string, MailRef>();
  for (const text of texts) {
    const ids = [...text.matchAll(messageIdToken)].map((m) => verp.parseMessageId(`<${m[0]}>`));
    const paths = [...text.matchAll(verpToken)].map((m) => verp.parseReturnPath(m[0]));
    for (const ref of [...ids, ...paths]) {
      const key = JSON.stringify(ref);
      if (ref && !refs.has(key)) refs.set(key, ref);
    }
  }
  return [...refs.values()];
}

/** RFC 3464 §2.1: DSN fields are header syntax in groups; per-message first, one group per recipient. */
function fieldGroups(text: string): Fields[] {
  return blocks(text)
    .map(parseFields)
    .filter((fields) => fields.size > 0);
}

function blocks(text: string): string[] {
  return lf(text).split(/\n[ \t]*\n/);
}

function lf(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function parseFields(block: string): Fields {
  const fields: Fields = new Map();
  for (const line of lf(block)
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (colon > 0 && !fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}

/** Drops the address/diagnostic type: `smtp; 550 …`, `rfc822;x@y`, `X-Unix; …`. */
function withoutType(value: string): string {
  return value.replace(/^[A-Za-z0-9-]+\s*;\s*/, '');
}

function content(part: Attachment): string {
  return typeof part.content === 'string' ? part.content : new TextDecoder().decode(part.content);
}
