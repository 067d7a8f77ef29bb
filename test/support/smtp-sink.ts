// A real SMTP server in the test process: it receives what the workers send, parses it, and can
// misbehave the ways relays do (refuse at any stage, ask for a password, drop the line, stall).
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export type RefusalStage = 'auth' | 'mail' | 'rcpt' | 'data';

export interface Refusal {
  stage: RefusalStage;
  /** Below 400: accept (after `delayMs`), a slow but willing relay. */
  code: number;
  /** The reply text, e.g. '5.1.1 no such user'. */
  text?: string;
  /** How many times; Infinity until `behave()` is called again. */
  count?: number;
  /** Only for these recipients (at rcpt and data). */
  when?: (recipient: string) => boolean;
  /** Close the connection instead of replying. */
  drop?: boolean;
  /** Wait this long before replying (a slow or stalled relay). */
  delayMs?: number;
}

export interface Received {
  from: string;
  to: string;
  raw: Buffer | undefined;
  mail: ParsedMail | undefined;
}

export interface SinkOptions {
  port?: number;
  /** Require AUTH with these credentials (PLAIN/LOGIN, over STARTTLS when tls is given). */
  auth?: { user: string; pass: string };
  tls?: { key: Buffer; cert: Buffer };
  /** parsed (default): mailparser on every mail; raw: bytes only; envelope: only who got what (large tests). */
  keep?: 'parsed' | 'raw' | 'envelope';
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: ParsedMail[];
  received: Received[];
  /** Answers the next `count` messages with this SMTP status instead of accepting them. */
  reject(count: number, code: number): void;
  behave(...refusals: Refusal[]): void;
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  waitForReceived(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(portOrOptions: number | SinkOptions = 0): Promise<SmtpSink> {
  const options = typeof portOrOptions === 'number' ? { port: portOrOptions } : portOrOptions;
  const keep = options.keep ?? 'parsed';
  const messages: ParsedMail[] = [];
  const received: Received[] = [];
  let refusals: Refusal[] = [];

  /** The refusal for this stage and recipient, if any; counts it down. */
  const refusalFor = (stage: RefusalStage, recipient = '') => {
    const refusal = refusals.find(
      (r) => r.stage === stage && (r.count ?? Number.POSITIVE_INFINITY) > 0 && (!r.when || r.when(recipient)),
    );
    if (refusal && refusal.count !== undefined) refusal.count -= 1;
    return refusal;
  };
  const answer = (refusal: Refusal | undefined, session: { id: string }, callback: (e?: Error) => void) => {
    if (!refusal) return callback();
    const reply = () => {
      if (refusal.drop) return closeSession(session.id);
      if (refusal.code < 400) return callback();
      const error = Object.assign(new Error(refusal.text ?? `refused by the test (${refusal.code})`), {
        responseCode: refusal.code,
      });
      callback(error);
    };
    if (refusal.delayMs) setTimeout(reply, refusal.delayMs);
    else reply();
  };

  // smtp-server has no API to hang up on a client; its connection objects keep their socket.
  const closeSession = (id: string) => {
    const connections = (
      server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }
    ).connections;
    for (const connection of connections) if (connection.id === id) connection._socket.destroy();
  };

  const serverOptions: SMTPServerOptions = {
    logger: false,
    size: 10 * 1024 * 1024,
    ...(options.auth
      ? {
          authMethods: ['PLAIN', 'LOGIN'],
          authOptional: false,
          allowInsecureAuth: !options.tls,
          // Without our own certificate smtp-server would offer STARTTLS with its built-in, expired one.
          ...(options.tls ? {} : { disabledCommands: ['STARTTLS'] }),
        }
      : { authOptional: true, disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'] }),
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    onAuth(auth, session, callback) {
      const refusal = refusalFor('auth');
      if (refusal) return answer(refusal, session, callback as (e?: Error) => void);
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass)
        return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 authentication failed'), { responseCode: 535 }));
    },
    onMailFrom(_address, session, callback) {
      answer(refusalFor('mail'), session, callback);
    },
    onRcptTo(address, session, callback) {
      answer(refusalFor('rcpt', address.address), session, callback);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (keep !== 'envelope') chunks.push(chunk);
      });
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const refusal = refusalFor('data', to);
        if (refusal && refusal.code >= 400) return answer(refusal, session, callback);
        if (refusal?.delayMs) setTimeout(() => accept(to), refusal.delayMs);
        else accept(to);
      });
      const accept = (to: string) => {
        const raw = keep === 'envelope' ? undefined : Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const record: Received = { from, to, raw, mail: undefined };
        if (keep !== 'parsed' || !raw) {
          received.push(record);
          return callback();
        }
        simpleParser(raw)
          .then((mail) => {
            record.mail = mail;
            received.push(record);
            messages.push(mail);
            callback();
          })
          .catch(callback);
      };
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const actual = (server.server.address() as AddressInfo).port;

  const waitUntil = async (done: () => boolean, what: () => string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(what());
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  return {
    url: options.auth
      ? `smtp://${options.auth.user}:${encodeURIComponent(options.auth.pass)}@127.0.0.1:${actual}`
      : `smtp://127.0.0.1:${actual}`,
    port: actual,
    messages,
    received,
    reject(count, code) {
      refusals = [{ stage: 'data', code, count }];
    },
    behave(...next) {
      refusals = next;
    },
    async waitFor(count, timeoutMs = 20_000) {
      await waitUntil(
        () => messages.length >= count,
        () => `expected ${count} mails, got ${messages.length}`,
        timeoutMs,
      );
      return messages;
    },
    async waitForReceived(count, timeoutMs = 20_000) {
      await waitUntil(
        () => received.length >= count,
        () => `expected ${count} mails, got ${received.length}`,
        timeoutMs,
      );
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail's text part that starts with the given path. */
export function linkIn(mail: ParsedMail, path: string): string {
  const match = new RegExp(`https?://\\S+?${path}\\S+`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  return match[0];
}
