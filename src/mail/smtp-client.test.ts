import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostfixSink, startPostfixSink } from '../../test/support/postfix-sink.js';
import { type SendOutcome, type SmtpClientOptions, SmtpConnection, SmtpError } from './smtp-client.js';

const tlsDir = new URL('../../test/fixtures/tls/', import.meta.url);
const key = readFileSync(new URL('localhost-key.pem', tlsDir));
const cert = readFileSync(new URL('localhost-cert.pem', tlsDir));

// ---------------------------------------------------------------------------------------------
// Peers

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  secure: boolean;
  user: unknown;
}

interface Peer {
  port: number;
  received: Received[];
  authMethods: string[];
  close(): Promise<void>;
}

/** nodemailer's smtp-server in this process, with our test certificate and the given options. */
async function startSmtpServer(options: SMTPServerOptions = {}): Promise<Peer> {
  const received: Received[] = [];
  const authMethods: string[] = [];
  const server = new SMTPServer({
    key,
    cert,
    logger: false,
    authOptional: true,
    closeTimeout: 200,
    hideENHANCEDSTATUSCODES: false,
    onAuth(auth, _session, callback) {
      authMethods.push(auth.method);
      if (auth.username === 'alice' && auth.password === 'secret') return callback(null, { user: 'alice' });
      if (auth.username === 'bob@example.org' && auth.password === 'p@ss:w/rd%')
        return callback(null, { user: 'bob' });
      callback(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(describeSession(session, Buffer.concat(chunks)));
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    authMethods,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function describeSession(session: SMTPServerSession, raw: Buffer): Received {
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '?';
  const to = session.envelope.rcptTo.map((r) => r.address);
  return { from, to, raw, secure: session.secure, user: session.user };
}

type Answer = string | 'drop' | 'silent';

interface ScriptedPeer {
  port: number;
  /** What each side said, in the order the server saw and wrote it: 'C: MAIL FROM:<…>', 'S: 250 ok', 'C: <body>'. */
  transcript: string[];
  bodies: string[];
  /** Commands that arrived while an earlier command still waited for its reply. */
  overlapped: number;
  close(): Promise<void>;
}

/**
 * A raw SMTP server for what smtp-server cannot be made to do: odd replies, replies byte by byte, no
 * PIPELINING, a 421. `answer` may override the reply to any command ('.' is the end of a body).
 */
async function startScriptedPeer(script: {
  greeting?: Answer;
  capabilities?: string[];
  answer?(command: string): Answer | undefined;
  bytewise?: boolean;
  replyDelayMs?: number;
}): Promise<ScriptedPeer> {
  const peer = { transcript: [] as string[], bodies: [] as string[], overlapped: 0 };
  const sockets = new Set<Socket>();
  const defaultAnswer = (command: string): Answer => {
    const verb = command.slice(0, 4).toUpperCase();
    if (verb === 'EHLO') {
      const lines = ['scripted', ...(script.capabilities ?? ['PIPELINING'])];
      return lines.map((line, i) => `250${i === lines.length - 1 ? ' ' : '-'}${line}`).join('\r\n');
    }
    if (verb === 'DATA') return '354 go ahead';
    if (verb === 'QUIT') return '221 bye';
    return command === '.' ? '250 2.0.0 queued' : '250 2.1.0 ok';
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    let output = Promise.resolve();
    let waiting = 0;
    const reply = (answer: Answer) => {
      if (answer === 'silent') return;
      output = output.then(async () => {
        if (script.replyDelayMs) await sleep(script.replyDelayMs);
        if (socket.destroyed) return;
        if (answer === 'drop') return void socket.destroy();
        peer.transcript.push(`S: ${answer}`);
        if (!script.bytewise) socket.write(`${answer}\r\n`);
        else {
          for (const byte of `${answer}\r\n`) {
            await new Promise((written) => socket.write(byte, () => setTimeout(written, 1)));
          }
        }
        waiting -= 1;
        if (/^(221|421)/.test(answer)) socket.end();
      });
    };
    const onCommand = (command: string) => {
      if (waiting > 0) peer.overlapped += 1;
      waiting += 1;
      const answer = script.answer?.(command) ?? defaultAnswer(command);
      if (answer.startsWith('354')) inData = true;
      reply(answer);
    };
    let inData = false;
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const text = `\r\n${buffer}`;
          const end = text.indexOf('\r\n.\r\n');
          if (end === -1) return;
          const body = text.slice(2, end + 2);
          buffer = text.slice(end + 5);
          inData = false;
          peer.bodies.push(body);
          peer.transcript.push(`C: ${body}`);
          onCommand('.');
          continue;
        }
        const end = buffer.indexOf('\r\n');
        if (end === -1) return;
        const command = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        peer.transcript.push(`C: ${command}`);
        onCommand(command);
      }
    });
    waiting += 1;
    reply(script.greeting ?? '220 scripted ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(peer, {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function message(n: number, body = `Hello number ${n}.\r\n`): Buffer[] {
  const headers = `From: news@example.org\r\nTo: reader${n}@example.org\r\nSubject: Issue ${n}\r\nMessage-ID: <${n}@example.org>\r\n\r\n`;
  return [Buffer.from(headers), Buffer.from(body)];
}

function open(port: number, options: Partial<SmtpClientOptions> = {}): Promise<SmtpConnection> {
  return SmtpConnection.open({
    url: `smtp://127.0.0.1:${port}`,
    name: 'client.test',
    tls: { ca: cert },
    ...options,
  });
}

/** The rejection of a promise that must reject, as an SmtpError. */
async function failureOf(promise: Promise<unknown>): Promise<SmtpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SmtpError)) throw new Error(`expected an SmtpError, got ${String(error)}`);
  return error;
}

function accepted(outcome: SendOutcome): boolean {
  return outcome.accepted;
}

// ---------------------------------------------------------------------------------------------

describe('SmtpConnection against smtp-server with STARTTLS and AUTH', () => {
  let secure: boolean[] = [];
  let users: unknown[] = [];
  let peer: Peer;
  beforeAll(async () => {
    peer = await startSmtpServer({
      authMethods: ['PLAIN', 'LOGIN'],
      onMailFrom(_address, session, callback) {
        secure.push(session.secure);
        users.push(session.user);
        callback();
      },
    });
  });
  afterAll(() => peer.close());

  it('upgrades with STARTTLS, then authenticates with AUTH PLAIN when both PLAIN and LOGIN are offered', async () => {
    secure = [];
    users = [];
    peer.authMethods.length = 0;
    const connection = await open(peer.port, { url: `smtp://alice:secret@127.0.0.1:${peer.port}` });
    expect(connection.pipelining).toBe(true);
    const outcome = await connection.send({ from: 'news@example.org', to: 'reader@example.org' }, message(1));
    await connection.quit();
    expect(outcome).toMatchObject({ accepted: true, reply: { code: 250 } });
    expect(peer.authMethods).toEqual(['PLAIN']);
    expect(secure).toEqual([true]);
    expect(users).toEqual(['alice']);
  });

  it('refuses to send credentials when the certificate is not trusted', async () => {
    peer.authMethods.length = 0;
    const error = await failureOf(
      open(peer.port, { url: `smtp://alice:secret@127.0.0.1:${peer.port}`, tls: {} }),
    );
    expect(error.stage).toBe('starttls');
    expect(error.code).toBeTruthy();
    expect(peer.authMethods).toEqual([]);
  });

  it('upgrades to TLS without credentials too, whenever the server offers STARTTLS', async () => {
    secure = [];
    peer.authMethods.length = 0;
    const connection = await open(peer.port);
    await connection.send({ from: 'news@example.org', to: 'reader@example.org' }, message(1));
    await connection.quit();
    expect(secure).toEqual([true]);
    expect(peer.authMethods).toEqual([]);
  });

  it('rejects open at the auth stage on a 535, without the password in the error', async () => {
    const error = await failureOf(
      open(peer.port, { url: `smtp://alice:wrong-password@127.0.0.1:${peer.port}` }),
    );
    expect(error.stage).toBe('auth');
    expect(error.reply?.code).toBe(535);
    expect(error.reply?.enhanced).toBe('5.7.8');
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain('wrong-password');
  });
});

describe('SmtpConnection with AUTH LOGIN and implicit TLS', () => {
  it('authenticates with AUTH LOGIN and percent-decoded credentials when PLAIN is not offered', async () => {
    const users: unknown[] = [];
    const peer = await startSmtpServer({
      authMethods: ['LOGIN'],
      onMailFrom(_address, session, callback) {
        users.push([session.secure, session.user]);
        callback();
      },
    });
    try {
      const url = `smtp://${encodeURIComponent('bob@example.org')}:${encodeURIComponent('p@ss:w/rd%')}@127.0.0.1:${peer.port}`;
      const connection = await open(peer.port, { url });
      const outcome = await connection.send({ from: '', to: 'reader@example.org' }, message(1));
      await connection.quit();
      expect(outcome.accepted).toBe(true);
      expect(peer.authMethods).toEqual(['LOGIN']);
      expect(users).toEqual([[true, 'bob']]);
      expect(peer.received.map((r) => r.from)).toEqual(['']);
    } finally {
      await peer.close();
    }
  });

  it('speaks TLS from the first byte with smtps://', async () => {
    const sessions: unknown[] = [];
    const peer = await startSmtpServer({
      secure: true,
      authMethods: ['PLAIN'],
      onMailFrom(_address, session, callback) {
        sessions.push([session.secure, session.user]);
        callback();
      },
    });
    try {
      const connection = await open(peer.port, { url: `smtps://alice:secret@127.0.0.1:${peer.port}` });
      const outcome = await connection.send(
        { from: 'news@example.org', to: 'reader@example.org' },
        message(1),
      );
      await connection.quit();
      expect(outcome.accepted).toBe(true);
      expect(sessions).toEqual([[true, 'alice']]);
    } finally {
      await peer.close();
    }
  });

  it('refuses to send credentials to a server that offers no STARTTLS', async () => {
    const peer = await startSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    try {
      const error = await failureOf(open(peer.port, { url: `smtp://alice:secret@127.0.0.1:${peer.port}` }));
      expect(error.stage).toBe('starttls');
      expect(peer.authMethods).toEqual([]);
    } finally {
      await peer.close();
    }
  });
});

describe('SmtpConnection sending many messages', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startSmtpServer({ authMethods: ['PLAIN'] });
  });
  afterAll(() => peer.close());

  it('delivers 1,000 messages queued without awaiting, in order and intact, and resolves them in order', async () => {
    peer.received.length = 0;
    const connection = await open(peer.port, { url: `smtp://alice:secret@127.0.0.1:${peer.port}` });
    const dotty = '.leading dot\r\n..two dots\r\n...\r\n.\r\nend . not at start\r\n';
    const messages = Array.from({ length: 1000 }, (_, n) => message(n, n % 100 === 7 ? dotty : undefined));
    const order: number[] = [];
    const outcomes = await Promise.all(
      messages.map((pieces, n) =>
        connection
          .send({ from: 'news@example.org', to: `reader${n}@example.org` }, pieces)
          .then((outcome) => {
            order.push(n);
            return outcome;
          }),
      ),
    );
    await connection.quit();
    expect(outcomes.every(accepted)).toBe(true);
    expect(order).toEqual(messages.map((_, n) => n));
    expect(peer.received.map((r) => r.to[0])).toEqual(messages.map((_, n) => `reader${n}@example.org`));
    for (const [n, pieces] of messages.entries()) {
      expect(peer.received[n]?.raw.equals(Buffer.concat(pieces)), `message ${n}`).toBe(true);
    }
    const parsed = await simpleParser(peer.received[107]?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Issue 107');
    expect(parsed.text).toBe(dotty.replaceAll('\r\n', '\n'));
    expect((await simpleParser(peer.received[999]?.raw ?? Buffer.alloc(0))).text).toBe('Hello number 999.\n');
  });

  it('dot-stuffs line starts that fall on piece boundaries, and ends a body without a final line break', async () => {
    peer.received.length = 0;
    const connection = await open(peer.port, { url: `smtp://alice:secret@127.0.0.1:${peer.port}` });
    const pieces = [
      'Subject: dots\r\n\r\n',
      '.first\r',
      '\n.second\r\n',
      '.',
      '.third\r\n',
      'x\r\n.',
      'last',
    ];
    const outcome = await connection.send(
      { from: 'news@example.org', to: 'reader@example.org' },
      pieces.map((p) => Buffer.from(p)),
    );
    await connection.quit();
    expect(outcome.accepted).toBe(true);
    expect(peer.received[0]?.raw.toString()).toBe(`${pieces.join('')}\r\n`);
  });
});

/** Refuses by address: a sender or recipient named for the refusal it should get. */
function startRefusingServer(options: SMTPServerOptions): Promise<Peer> {
  const refuse = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const received: Received[] = [];
  return startSmtpServer({
    ...options,
    onMailFrom(address, _session, callback) {
      callback(address.address === 'refused@example.org' ? refuse(550, 'sender refused') : undefined);
    },
    onRcptTo(address, _session, callback) {
      if (address.address === 'unknown@example.org') return callback(refuse(550, 'no such user'));
      if (address.address === 'later@example.org') return callback(refuse(451, 'try again later'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo[0]?.address;
        if (to === 'full@example.org') return callback(refuse(552, 'mailbox full'));
        if (to === 'spam@example.org') return callback(refuse(554, 'looks like spam'));
        received.push(describeSession(session, Buffer.concat(chunks)));
        callback();
      });
    },
  }).then((peer) => Object.assign(peer, { received }));
}

describe('SmtpConnection when the relay refuses a message', () => {
  const refusals = [
    {
      what: 'a 550 at RCPT',
      to: 'unknown@example.org',
      stage: 'rcpt',
      code: 550,
      enhanced: '5.1.1',
      text: 'no such user',
    },
    {
      what: 'a 451 at RCPT',
      to: 'later@example.org',
      stage: 'rcpt',
      code: 451,
      enhanced: '4.3.0',
      text: 'try again later',
    },
    {
      what: 'a 550 at MAIL FROM',
      from: 'refused@example.org',
      stage: 'mail',
      code: 550,
      enhanced: '5.1.1',
      text: 'sender refused',
    },
    {
      what: 'a 552 after the body',
      to: 'full@example.org',
      stage: 'message',
      code: 552,
      enhanced: '5.2.2',
      text: 'mailbox full',
    },
    {
      what: 'a 554 after the body',
      to: 'spam@example.org',
      stage: 'message',
      code: 554,
      enhanced: '5.6.0',
      text: 'looks like spam',
    },
  ] as const;

  for (const hidePIPELINING of [false, true]) {
    describe(hidePIPELINING ? 'without PIPELINING' : 'with PIPELINING', () => {
      let peer: Peer;
      beforeAll(async () => {
        peer = await startRefusingServer({ hidePIPELINING });
      });
      afterAll(() => peer.close());

      for (const refusal of refusals) {
        it(`reports ${refusal.what} as a refusal at ${refusal.stage}, then accepts the next message`, async () => {
          peer.received.length = 0;
          const connection = await open(peer.port);
          expect(connection.pipelining).toBe(!hidePIPELINING);
          const from = 'from' in refusal ? refusal.from : 'news@example.org';
          const to = 'to' in refusal ? refusal.to : 'reader@example.org';
          const refused = connection.send({ from, to }, message(1));
          const next = connection.send({ from: 'news@example.org', to: 'ok@example.org' }, message(2));
          const [first, second] = [await refused, await next];
          await connection.quit();
          expect(first).toEqual({
            accepted: false,
            stage: refusal.stage,
            reply: {
              code: refusal.code,
              enhanced: refusal.enhanced,
              text: `${refusal.enhanced} ${refusal.text}`,
            },
          });
          expect(second).toMatchObject({ accepted: true, reply: { code: 250 } });
          expect(peer.received.map((r) => r.to)).toEqual([['ok@example.org']]);
        });
      }
    });
  }
});

describe('SmtpConnection when the connection breaks', () => {
  it('rejects the stalled message and every later one with ETIMEDOUT when the final dot gets no reply', async () => {
    const peer = await startSmtpServer({
      onData(stream) {
        stream.resume();
      },
    });
    try {
      const connection = await open(peer.port, { dataTimeoutMs: 300 });
      const started = Date.now();
      const stalled = failureOf(connection.send({ from: 'a@example.org', to: 'b@example.org' }, message(1)));
      const later = failureOf(connection.send({ from: 'a@example.org', to: 'c@example.org' }, message(2)));
      const [error, laterError] = [await stalled, await later];
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error).toMatchObject({ code: 'ETIMEDOUT', stage: 'message' });
      expect(laterError).toBe(error);
      expect(connection.isOpen).toBe(false);
    } finally {
      await peer.close();
    }
  });

  it('rejects with ETIMEDOUT at the greeting when the server says nothing', async () => {
    const peer = await startScriptedPeer({ greeting: 'silent' });
    try {
      const error = await failureOf(open(peer.port, { replyTimeoutMs: 200 }));
      expect(error).toMatchObject({ code: 'ETIMEDOUT', stage: 'greeting' });
    } finally {
      await peer.close();
    }
  });

  it('rejects queued messages with an SmtpError when the server drops the connection mid-stream', async () => {
    let dots = 0;
    const peer = await startScriptedPeer({
      answer: (command) => (command === '.' && ++dots === 2 ? 'drop' : undefined),
    });
    try {
      const connection = await open(peer.port);
      const sends = [1, 2, 3, 4].map((n) =>
        connection.send({ from: 'a@example.org', to: `r${n}@example.org` }, message(n)),
      );
      const settled = await Promise.allSettled(sends);
      expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { accepted: true } });
      for (const result of settled.slice(1)) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({
          name: 'SmtpError',
          code: 'ECONNRESET',
        });
      }
      await expect(
        connection.send({ from: 'a@example.org', to: 'r5@example.org' }, message(5)),
      ).rejects.toThrow(SmtpError);
    } finally {
      await peer.close();
    }
  });

  it('rejects a URL that is not smtp:// or smtps:// without repeating it', async () => {
    for (const url of [
      'http://user:hunter2@127.0.0.1:25',
      'smtp://user:hunter2@[bad',
      'smtp://u:%zzhunter2@127.0.0.1',
    ]) {
      const error = await SmtpConnection.open({ url }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, url).toBeInstanceOf(Error);
      expect(String(error) + JSON.stringify(error), url).not.toContain('hunter2');
    }
  });

  it('rejects with ECONNREFUSED at the connect stage when nothing listens', async () => {
    const peer = await startScriptedPeer({});
    await peer.close();
    const error = await failureOf(open(peer.port));
    expect(error).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
  });

  it('rejects open with the reply when the greeting is a 421', async () => {
    const peer = await startScriptedPeer({ greeting: '421 4.3.2 too busy, try later' });
    try {
      const error = await failureOf(open(peer.port));
      expect(error.stage).toBe('greeting');
      expect(error.reply).toEqual({ code: 421, enhanced: '4.3.2', text: '4.3.2 too busy, try later' });
    } finally {
      await peer.close();
    }
  });

  it('rejects the message in progress and all later ones on a 421 mid-session, and closes', async () => {
    let mails = 0;
    const peer = await startScriptedPeer({
      answer: (command) =>
        command.startsWith('MAIL') && ++mails === 2 ? '421 4.4.2 shutting down' : undefined,
    });
    try {
      const connection = await open(peer.port);
      const sends = [1, 2, 3].map((n) =>
        connection.send({ from: 'a@example.org', to: `r${n}@example.org` }, message(n)),
      );
      const settled = await Promise.allSettled(sends);
      expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { accepted: true } });
      for (const result of settled.slice(1)) {
        expect(result).toMatchObject({ status: 'rejected', reason: { stage: 'mail', reply: { code: 421 } } });
      }
      expect(connection.isOpen).toBe(false);
      expect(peer.bodies).toHaveLength(1);
    } finally {
      await peer.close();
    }
  });

  it('rejects everything queued with EDESTROYED on destroy()', async () => {
    const peer = await startScriptedPeer({ replyDelayMs: 20 });
    try {
      const connection = await open(peer.port);
      const sends = [1, 2].map((n) =>
        failureOf(connection.send({ from: 'a@example.org', to: `r${n}@example.org` }, message(n))),
      );
      connection.destroy();
      for (const error of await Promise.all(sends)) expect(error.code).toBe('EDESTROYED');
      expect(connection.isOpen).toBe(false);
    } finally {
      await peer.close();
    }
  });
});

describe('SmtpConnection at the protocol level', () => {
  it('parses multi-line replies and enhanced codes that arrive one byte at a time', async () => {
    const peer = await startScriptedPeer({
      bytewise: true,
      capabilities: ['SIZE 1000000', 'ENHANCEDSTATUSCODES', 'PIPELINING'],
      answer: (command) =>
        command === 'RCPT TO:<gone@example.org>'
          ? '550-5.1.1 first line\r\n550-5.1.1 second line\r\n550 5.1.1 third line'
          : undefined,
    });
    try {
      const connection = await open(peer.port);
      expect(connection.pipelining).toBe(true);
      const gone = connection.send({ from: 'a@example.org', to: 'gone@example.org' }, message(1));
      const fine = connection.send({ from: 'a@example.org', to: 'fine@example.org' }, message(2));
      expect(await gone).toEqual({
        accepted: false,
        stage: 'rcpt',
        reply: {
          code: 550,
          enhanced: '5.1.1',
          text: '5.1.1 first line\n5.1.1 second line\n5.1.1 third line',
        },
      });
      expect(await fine).toEqual({
        accepted: true,
        reply: { code: 250, enhanced: '2.0.0', text: '2.0.0 queued' },
      });
      await connection.quit();
    } finally {
      await peer.close();
    }
  });

  it('writes the next envelope together with a body, before the reply to that body', async () => {
    const peer = await startScriptedPeer({ replyDelayMs: 10 });
    try {
      const connection = await open(peer.port);
      const outcomes = await Promise.all(
        [1, 2, 3].map((n) => connection.send({ from: 'a@example.org', to: `r${n}@example.org` }, message(n))),
      );
      await connection.quit();
      expect(outcomes.every(accepted)).toBe(true);
      const t = peer.transcript;
      const secondMail = t.indexOf('C: RCPT TO:<r2@example.org>') - 1;
      expect(t[secondMail]).toBe('C: MAIL FROM:<a@example.org>');
      expect(t.indexOf('S: 250 2.0.0 queued')).toBeGreaterThan(secondMail);
      expect(t.slice(-2)).toEqual(['C: QUIT', 'S: 221 bye']);
    } finally {
      await peer.close();
    }
  });

  it('sends one command at a time to a server without PIPELINING, with RSET after a refused recipient', async () => {
    const peer = await startScriptedPeer({
      capabilities: ['SIZE 1000000'],
      replyDelayMs: 5,
      answer: (command) => (command === 'RCPT TO:<gone@example.org>' ? '550 5.1.1 gone' : undefined),
    });
    try {
      const connection = await open(peer.port);
      expect(connection.pipelining).toBe(false);
      const outcomes = await Promise.all(
        ['r1', 'gone', 'r3'].map((to) =>
          connection.send({ from: 'a@example.org', to: `${to}@example.org` }, message(1)),
        ),
      );
      await connection.quit();
      expect(outcomes.map((o) => (o.accepted ? 'accepted' : o.stage))).toEqual([
        'accepted',
        'rcpt',
        'accepted',
      ]);
      expect(peer.overlapped).toBe(0);
      const commands = peer.transcript
        .filter((line) => /^C: [A-Z]{4}\b/.test(line))
        .map((line) => line.slice(3, 7));
      expect(commands).toEqual([
        'EHLO',
        ...['MAIL', 'RCPT', 'DATA'],
        'MAIL',
        'RCPT',
        'RSET',
        ...['MAIL', 'RCPT', 'DATA'],
        'QUIT',
      ]);
    } finally {
      await peer.close();
    }
  });

  it('closes an empty DATA and reports the MAIL refusal when the server opens DATA for a refused transaction', async () => {
    const peer = await startScriptedPeer({
      answer: (command) => (command === 'MAIL FROM:<bad@example.org>' ? '550 5.7.1 not you' : undefined),
    });
    try {
      const connection = await open(peer.port);
      const refused = connection.send({ from: 'bad@example.org', to: 'r1@example.org' }, message(1));
      const next = connection.send({ from: 'a@example.org', to: 'r2@example.org' }, message(2));
      expect(await refused).toMatchObject({
        accepted: false,
        stage: 'mail',
        reply: { code: 550, enhanced: '5.7.1' },
      });
      expect(await next).toMatchObject({ accepted: true });
      await connection.quit();
      expect(peer.bodies).toEqual(['', Buffer.concat(message(2)).toString('latin1')]);
    } finally {
      await peer.close();
    }
  });

  it('sends RSET before the next envelope when DATA is refused after MAIL and RCPT were accepted', async () => {
    let dataSeen = 0;
    const peer = await startScriptedPeer({
      answer: (command) => (command === 'DATA' && !dataSeen++ ? '554 5.7.1 no data for you' : undefined),
    });
    try {
      const connection = await open(peer.port);
      const refused = connection.send({ from: 'a@example.org', to: 'r1@example.org' }, message(1));
      const next = connection.send({ from: 'a@example.org', to: 'r2@example.org' }, message(2));
      expect(await refused).toMatchObject({ accepted: false, stage: 'data', reply: { code: 554 } });
      expect(await next).toMatchObject({ accepted: true });
      await connection.quit();
      const commands = peer.transcript
        .filter((line) => /^C: [A-Z]{4}\b/.test(line))
        .map((line) => line.slice(3, 7));
      expect(commands).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    } finally {
      await peer.close();
    }
  });

  it('fails with EPROTO instead of trusting a reply that came in clear text after the STARTTLS go-ahead', async () => {
    const peer = await startScriptedPeer({
      capabilities: ['STARTTLS', 'PIPELINING'],
      answer: (command) => (command === 'STARTTLS' ? '220 go ahead\r\n250 injected' : undefined),
    });
    try {
      const error = await failureOf(open(peer.port));
      expect(error).toMatchObject({ stage: 'starttls', code: 'EPROTO' });
    } finally {
      await peer.close();
    }
  });

  it('throws at once for envelope addresses that would break the command line', async () => {
    const peer = await startScriptedPeer({});
    try {
      const connection = await open(peer.port);
      for (const bad of [
        'a@example.org\r\nRCPT TO:<x@example.org>',
        'a@example.org>',
        '<a@example.org',
        'a\n@example.org',
      ]) {
        expect(() => connection.send({ from: bad, to: 'r@example.org' }, message(1)), bad).toThrow(
          /envelope from/,
        );
        expect(() => connection.send({ from: 'a@example.org', to: bad }, message(1)), bad).toThrow(
          /envelope to/,
        );
      }
      await connection.quit();
      expect(peer.transcript.some((line) => line.startsWith('C: MAIL'))).toBe(false);
    } finally {
      await peer.close();
    }
  });

  it('resolves quit() after every queued outcome and refuses sends after it', async () => {
    const peer = await startScriptedPeer({ replyDelayMs: 5 });
    try {
      const connection = await open(peer.port);
      const events: string[] = [];
      const sends = [1, 2].map((n) =>
        connection
          .send({ from: 'a@example.org', to: `r${n}@example.org` }, message(n))
          .then(() => events.push(`sent ${n}`)),
      );
      const quit = connection.quit().then(() => events.push('quit'));
      expect(connection.isOpen).toBe(false);
      await expect(
        connection.send({ from: 'a@example.org', to: 'r3@example.org' }, message(3)),
      ).rejects.toMatchObject({
        code: 'ECLOSED',
      });
      await Promise.all([...sends, quit]);
      expect(events).toEqual(['sent 1', 'sent 2', 'quit']);
      const lastBody = peer.transcript.lastIndexOf(`C: ${Buffer.concat(message(2)).toString()}`);
      expect(peer.transcript.indexOf('C: QUIT')).toBeGreaterThan(lastBody);
      expect(peer.transcript.at(-1)).toBe('S: 221 bye');
    } finally {
      await peer.close();
    }
  });
});

const runPostfix = hasPostfixSink || process.env.CI === 'true';
if (!runPostfix)
  console.warn('smtp-client.test: /usr/sbin/smtp-sink is absent (Debian package postfix); skipping');

describe.skipIf(!runPostfix)("SmtpConnection against Postfix's smtp-sink", () => {
  it('has 2,000 messages accepted over 2 pipelined connections', async () => {
    const sink = await startPostfixSink();
    try {
      const body = `${'Twenty kilobytes of newsletter, line after line of it.\r\n'.repeat(360)}.dot at a line start\r\n`;
      const connections = await Promise.all([open(sink.port), open(sink.port)]);
      const outcomes = await Promise.all(
        connections.flatMap((connection, c) =>
          Array.from({ length: 1000 }, (_, i) =>
            connection.send({ from: 'news@example.org', to: `r${c}-${i}@example.org` }, message(i, body)),
          ),
        ),
      );
      await Promise.all(connections.map((connection) => connection.quit()));
      expect(connections.every((connection) => connection.pipelining)).toBe(true);
      expect(outcomes.filter(accepted)).toHaveLength(2000);
      await expect.poll(() => sink.messages()).toBe(2000);
    } finally {
      await sink.stop();
    }
  });
});
