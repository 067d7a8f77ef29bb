// The inbound SMTP listener on the bounce domain's MX: takes reports only for our own VERP addresses (and the
// feedback-loop address), judges them, and hands each failure to the caller before it says 250.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream } from 'smtp-server';
import { type BounceVerdict, type ParsedReport, parseReport } from './bounce-report.js';
import { redactAddresses } from './redact.js';
import type { MailRef, VerpCodec } from './verp.js';

export interface BounceListenerOptions {
  port: number;
  host: string;
  verp: VerpCodec;
  /** Feedback-loop reports (ARF) go to the address registered with each provider, not to a VERP address. */
  complaintAddress?: string;
  /** Default 512 KiB: SIZE is advertised, larger is refused with 552. */
  maxBytes?: number;
  /** STARTTLS offered when given; never required (bounces come from any MTA). */
  tls?: { key: Buffer; cert: Buffer };
  log: Logger;
  /** Awaited before the final 250; a throw answers 451 and the MTA retries. Should be idempotent. */
  onReport(ref: MailRef, verdict: BounceVerdict): Promise<void>;
  /**
   * List-Unsubscribe's mailto (RFC 2369): any mail to u+<personal token>@ the bounce domain unsubscribes
   * the reader the token was signed for. `isToken` checks the signature at RCPT, so forgeries get 550.
   */
  unsubscribe?: { isToken(token: string): boolean; onUnsubscribe(token: string): Promise<void> };
}

const unsubscribeAddress = /^u\+([A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,64})@(.+)$/;

/** A DSN is sent to one return path; more recipients in one transaction is someone probing. */
const maxRecipients = 20;
const maxClients = 64;

export async function startBounceListener(
  options: BounceListenerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const log = options.log.child({ component: 'bounce-listener' });
  const maxBytes = options.maxBytes ?? 512 * 1024;
  const target = recipientResolver(options);
  const server = new SMTPServer({
    banner: 'bounce listener',
    size: maxBytes,
    rejectOversized: true,
    authOptional: true,
    // smtp-server offers STARTTLS with a built-in self-signed certificate unless it is disabled.
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    maxClients,
    maxRecipients,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    // Its own logger would write envelope addresses.
    logger: false,
    onRcptTo(address, _session, callback) {
      // 550 at RCPT, never a later bounce: no open relay, no backscatter (research pitfall 12).
      callback(target(address) || unsubscribeToken(address) ? null : smtpError(550, 'No such user here'));
    },
    onData(stream, session, callback) {
      receive(stream, maxBytes)
        .then((raw) => (raw ? deliver(raw, session.envelope.rcptTo) : smtpError(552, 'Message too big')))
        .then(
          (refusal) => callback(refusal ?? null),
          (error: unknown) => callback(failure(error)),
        );
    },
  });
  server.on('error', (error) => log.warn({ error: redactAddresses(error.message) }, 'bounce listener error'));

  /** The personal token of an unsubscribe address whose signature checks out. */
  function unsubscribeToken(recipient: SMTPServerAddress): string | undefined {
    const [, token = '', domain = ''] = unsubscribeAddress.exec(recipient.address) ?? [];
    if (!options.unsubscribe || domain.toLowerCase() !== options.verp.bounceDomain.toLowerCase())
      return undefined;
    return options.unsubscribe.isToken(token) ? token : undefined;
  }

  async function deliver(raw: Buffer, recipients: SMTPServerAddress[]): Promise<Error | undefined> {
    const tokens = recipients.map(unsubscribeToken).filter((token) => token !== undefined);
    for (const token of tokens) await options.unsubscribe?.onUnsubscribe(token);
    if (tokens.length > 0)
      log.info({ count: tokens.length }, 'unsubscribed by mail (List-Unsubscribe mailto)');
    if (tokens.length === recipients.length) return undefined;
    let report: ParsedReport;
    try {
      report = await parseReport(raw, options.verp);
    } catch {
      log.warn('bounce report could not be parsed; refused');
      return smtpError(554, 'Report could not be parsed');
    }
    const { verdict } = report;
    if (!verdict) return undefined;
    const refs = distinct(recipients.map((r) => target(r, report.refs)));
    const summary = { class: verdict.class, status: verdict.status, kind: verdict.kind };
    if (refs.length === 0) log.info(summary, 'bounce report names none of our mails; accepted and dropped');
    for (const ref of refs) {
      await options.onReport(ref, verdict);
      log.info({ ...summary, mail: ref.kind }, 'bounce report recorded');
    }
    return undefined;
  }

  function failure(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    log.error({ error: redactAddresses(message) }, 'bounce report not recorded; answered 451');
    return smtpError(451, 'Report not recorded, try again later');
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * What a recipient stands for: its own mail for a VERP address (it names exactly one), the first mail the
 * report names for the complaint address, undefined for anything else. Truthy at RCPT for the complaint address.
 */
function recipientResolver(options: BounceListenerOptions) {
  const complaint = (options.complaintAddress ?? `fbl@${options.verp.bounceDomain}`).toLowerCase();
  const domain = `@${options.verp.bounceDomain.toLowerCase()}`;
  return (recipient: SMTPServerAddress, reportRefs?: MailRef[]): MailRef | true | undefined => {
    const address = recipient.address.toLowerCase();
    if (address === complaint) return reportRefs ? reportRefs[0] : true;
    // The codec checks the local part only; the domain must be ours too, or we would take anyone's bounces.
    return address.endsWith(domain) ? options.verp.parseReturnPath(address) : undefined;
  };
}

function distinct(refs: (MailRef | true | undefined)[]): MailRef[] {
  const byKey = new Map<string, MailRef>();
  for (const ref of refs) if (ref && ref !== true) byKey.set(JSON.stringify(ref), ref);
  return [...byKey.values()];
}

/** The whole message, or undefined once it exceeds the limit (the rest is drained, not kept). */
async function receive(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= maxBytes) chunks.push(chunk);
  }
  return stream.sizeExceeded || bytes > maxBytes ? undefined : Buffer.concat(chunks);
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
