// A pipelined SMTP client (RFC 5321, 2920, 3207, 4954) for bulk sending: one round trip per message on one connection.
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';

export interface SmtpReply {
  code: number;
  /** RFC 3463 status from the first line, e.g. '5.1.1', when present. */
  enhanced: string | undefined;
  /** The reply lines without their code, joined by '\n'. */
  text: string;
}

export type SmtpStage =
  | 'connect'
  | 'greeting'
  | 'ehlo'
  | 'starttls'
  | 'auth'
  | 'mail'
  | 'rcpt'
  | 'data'
  | 'message';

/** Connection-level failure: network error, timeout, 421, refused greeting/EHLO/STARTTLS/AUTH. After one of these the connection is unusable. */
export class SmtpError extends Error {
  override readonly name = 'SmtpError';
  constructor(
    message: string,
    readonly stage: SmtpStage,
    readonly reply: SmtpReply | undefined = undefined,
    readonly code: string | undefined = undefined,
  ) {
    super(message);
  }
}

export interface SmtpClientOptions {
  /** smtp://[user:pass@]host[:port] (default 587, STARTTLS) or smtps://… (implicit TLS, default 465). */
  url: string;
  name?: string;
  tls?: ConnectionOptions;
  connectTimeoutMs?: number;
  replyTimeoutMs?: number;
  dataTimeoutMs?: number;
}

export type SendOutcome =
  | { accepted: true; reply: SmtpReply }
  | { accepted: false; stage: 'mail' | 'rcpt' | 'data' | 'message'; reply: SmtpReply };

interface Job {
  mail: string;
  rcpt: string;
  message: readonly Buffer[];
  resolve(outcome: SendOutcome): void;
  reject(error: SmtpError): void;
  settled: boolean;
  mailAccepted: boolean;
}

type Step = 'rset' | 'mail' | 'rcpt' | 'data';
interface Expected {
  kind: 'event' | 'reply' | 'quit' | 'dot' | Step;
  stage: SmtpStage;
  timeoutMs: number;
  job?: Job;
  waiter?: { resolve(reply: SmtpReply | undefined): void; reject(error: SmtpError): void };
}

const QUIT = Symbol('quit');
const COMMANDS = { rset: 'RSET\r\n', data: 'DATA\r\n' } as const;
const STEPS: readonly Step[] = ['mail', 'rcpt', 'data'];
const STEPS_AFTER_REFUSAL: readonly Step[] = ['rset', 'mail', 'rcpt', 'data'];
const LF = 0x0a;
const DOT = 0x2e;
const LF_DOT = Buffer.from('\n.');
const DOT_BUFFER = Buffer.from('.');
const END_AFTER_LINE = Buffer.from('.\r\n');
const END_MID_LINE = Buffer.from('\r\n.\r\n');
// A peer that sends an endless line or reply must not grow our memory without bound.
const MAX_PENDING_CHARS = 64 * 1024;
const MAX_REPLY_LINES = 1000;

function checkReply(reply: SmtpReply, code: number, stage: SmtpStage): void {
  if (reply.code !== code) throw new SmtpError(`${stage} refused: ${reply.code} ${reply.text}`, stage, reply);
}

function checkAddress(address: string, field: string): void {
  if (/[\r\n<>]/.test(address)) throw new Error(`the envelope ${field} contains CR, LF, '<' or '>'`);
}

export class SmtpConnection {
  private socket: Socket;
  private readonly expected: Expected[] = [];
  private readonly unwritten: (Job | typeof QUIT)[] = [];
  /** The job whose replies decide what is written next: up to its DATA reply when pipelining, its last reply otherwise. */
  private active: Job | undefined;
  private needsRset = false;
  private failure: SmtpError | undefined;
  private quitWaiters: (() => void)[] | undefined;
  private canPipeline = false;
  private idleStage: SmtpStage = 'connect';
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private lines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private deadline = 0;
  private readonly replyTimeoutMs: number;
  private readonly dataTimeoutMs: number;

  private constructor(
    private readonly options: SmtpClientOptions,
    private readonly host: string,
    port: number,
    secure: boolean,
  ) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? 60_000;
    this.dataTimeoutMs = options.dataTimeoutMs ?? 120_000;
    // Without noDelay, Nagle holds back the small tail of a write until the server ACKs the rest.
    const tcp = this.listen(connectTcp({ host, port, noDelay: true }));
    this.socket = secure ? this.wrap(tcp) : tcp;
    this.socket.on('data', this.onData);
    this.socket.once(secure ? 'secureConnect' : 'connect', this.onEvent);
  }

  static async open(options: SmtpClientOptions): Promise<SmtpConnection> {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      // Not chained: a URL error carries its input, password included, into whatever logs it.
      throw new Error('the SMTP URL is not a valid URL');
    }
    const secure = url.protocol === 'smtps:';
    if (!secure && url.protocol !== 'smtp:')
      throw new Error('the SMTP URL must start with smtp:// or smtps://');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let user: string | undefined;
    let password: string;
    try {
      user = url.username ? decodeURIComponent(url.username) : undefined;
      password = decodeURIComponent(url.password);
    } catch {
      throw new Error('the credentials in the SMTP URL are not valid percent-encoding');
    }
    const connection = new SmtpConnection(options, host, Number(url.port) || (secure ? 465 : 587), secure);
    try {
      await connection.handshake(secure, user, password);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return connection;
  }

  get pipelining(): boolean {
    return this.canPipeline;
  }

  /** False once the connection failed, was destroyed or QUIT was asked for. */
  get isOpen(): boolean {
    return !this.failure && !this.quitWaiters;
  }

  /**
   * Queues one message; outcomes resolve in call order. The pieces are written when the server is ready for
   * them, without copying: leave them unchanged until the outcome. A broken connection, a timeout or a 421
   * rejects this and every later message with an SmtpError.
   */
  send(envelope: { from: string; to: string }, message: readonly Buffer[]): Promise<SendOutcome> {
    checkAddress(envelope.from, 'from');
    checkAddress(envelope.to, 'to');
    if (!envelope.to) throw new Error('the envelope has no recipient');
    if (this.failure) return Promise.reject(this.failure);
    if (this.quitWaiters) return Promise.reject(new SmtpError('QUIT was sent', 'mail', undefined, 'ECLOSED'));
    return new Promise((resolve, reject) => {
      const mail = `MAIL FROM:<${envelope.from}>\r\n`;
      const rcpt = `RCPT TO:<${envelope.to}>\r\n`;
      this.unwritten.push({ mail, rcpt, message, resolve, reject, settled: false, mailAccepted: false });
      this.pump();
    });
  }

  /** Sends QUIT after everything queued has its outcome, then closes; never rejects. */
  quit(): Promise<void> {
    if (this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.quitWaiters) {
        this.quitWaiters.push(resolve);
        return;
      }
      this.quitWaiters = [resolve];
      this.unwritten.push(QUIT);
      this.pump();
    });
  }

  /** Closes at once; queued messages reject with SmtpError code 'EDESTROYED'. */
  destroy(): void {
    this.fail(new SmtpError('the connection was destroyed', this.currentStage(), undefined, 'EDESTROYED'));
  }

  private async handshake(secure: boolean, user: string | undefined, password: string): Promise<void> {
    const [, greeting] = await Promise.all([
      this.expect('event', 'connect', this.options.connectTimeoutMs ?? 15_000),
      this.command(undefined, 'greeting'),
    ]);
    checkReply(greeting, 220, 'greeting');
    let capabilities = await this.ehlo();
    if (!secure && capabilities.has('STARTTLS')) {
      checkReply(await this.command('STARTTLS', 'starttls'), 220, 'starttls');
      await this.upgrade();
      capabilities = await this.ehlo();
    } else if (!secure && user !== undefined) {
      throw new SmtpError('the server offers no STARTTLS, and credentials never go in the clear', 'starttls');
    }
    if (user !== undefined) await this.authenticate(capabilities, user, password);
    this.canPipeline = capabilities.has('PIPELINING');
    this.idleStage = 'mail';
  }

  private async ehlo(): Promise<Set<string>> {
    const reply = await this.command(`EHLO ${this.options.name ?? hostname()}`, 'ehlo');
    checkReply(reply, 250, 'ehlo');
    const capabilities = new Set<string>();
    for (const line of reply.text.toUpperCase().split('\n').slice(1)) {
      const [keyword = '', ...params] = line.split(/[ =]/);
      capabilities.add(keyword);
      if (keyword === 'AUTH') for (const mechanism of params) capabilities.add(`AUTH ${mechanism}`);
    }
    return capabilities;
  }

  private async authenticate(capabilities: Set<string>, user: string, password: string): Promise<void> {
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    let reply: SmtpReply;
    if (capabilities.has('AUTH PLAIN')) {
      reply = await this.command(`AUTH PLAIN ${base64(`\0${user}\0${password}`)}`, 'auth');
    } else if (capabilities.has('AUTH LOGIN')) {
      reply = await this.command('AUTH LOGIN', 'auth');
      if (reply.code === 334) reply = await this.command(base64(user), 'auth');
      if (reply.code === 334) reply = await this.command(base64(password), 'auth');
    } else {
      throw new SmtpError('the server offers neither AUTH PLAIN nor AUTH LOGIN', 'auth');
    }
    checkReply(reply, 235, 'auth');
  }

  private upgrade(): Promise<unknown> {
    // Whatever came after the 220 was sent before encryption and could be injected (CVE-2011-0411).
    if (this.pending || this.lines.length) {
      throw new SmtpError('the server sent data after its STARTTLS reply', 'starttls', undefined, 'EPROTO');
    }
    this.socket.removeListener('data', this.onData);
    this.socket = this.wrap(this.socket);
    this.socket.on('data', this.onData);
    this.socket.once('secureConnect', this.onEvent);
    return this.expect('event', 'starttls', this.replyTimeoutMs);
  }

  private wrap(tcp: Socket): Socket {
    // RFC 6066 forbids an IP address as SNI; the certificate is still checked against `host`.
    const servername = isIP(this.host) ? undefined : this.host;
    return this.listen(connectTls({ servername, ...this.options.tls, socket: tcp, host: this.host }));
  }

  /** Both layers get these: which of them reports a reset or a bad certificate varies. */
  private listen(socket: Socket): Socket {
    return socket
      .on('error', (error: NodeJS.ErrnoException) => {
        const stage = this.currentStage();
        this.fail(new SmtpError(`${stage}: ${error.message}`, stage, undefined, error.code));
      })
      .on('close', () => {
        const stage = this.currentStage();
        this.fail(
          new SmtpError(`${stage}: the server closed the connection`, stage, undefined, 'ECONNRESET'),
        );
      });
  }

  private currentStage(): SmtpStage {
    return this.expected[0]?.stage ?? this.idleStage;
  }

  private command(line: string | undefined, stage: SmtpStage): Promise<SmtpReply> {
    this.idleStage = stage;
    if (line !== undefined) this.socket.write(`${line}\r\n`);
    return this.expect('reply', stage, this.replyTimeoutMs) as Promise<SmtpReply>;
  }

  private expect(
    kind: 'event' | 'reply',
    stage: SmtpStage,
    timeoutMs: number,
  ): Promise<SmtpReply | undefined> {
    return new Promise((resolve, reject) =>
      this.push({ kind, stage, timeoutMs, waiter: { resolve, reject } }),
    );
  }

  private push(entry: Expected): void {
    if (this.failure) {
      entry.waiter?.reject(this.failure);
      return;
    }
    this.expected.push(entry);
    if (this.expected.length === 1) this.armTimer();
  }

  private readonly onEvent = (): void => {
    if (this.expected[0]?.kind !== 'event') return;
    this.expected.shift()?.waiter?.resolve(undefined);
    this.armTimer();
  };

  private readonly onData = (chunk: Buffer): void => {
    const text = this.pending + this.decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1 && !this.failure; end = text.indexOf('\n', start)) {
      this.onLine(text.slice(start, text.charCodeAt(end - 1) === 13 ? end - 1 : end));
      start = end + 1;
    }
    this.pending = text.slice(start);
    if (this.pending.length > MAX_PENDING_CHARS) this.failProtocol('a reply line is too long');
  };

  private onLine(line: string): void {
    if (!/^[2-5]\d\d(?:[ -]|$)/.test(line)) {
      this.failProtocol('the server sent a malformed reply');
      return;
    }
    this.lines.push(line.slice(4));
    if (line[3] === '-') {
      if (this.lines.length > MAX_REPLY_LINES) this.failProtocol('a reply has too many lines');
      return;
    }
    const first = this.lines[0] ?? '';
    const enhanced = /^([245]\.\d{1,3}\.\d{1,3})(?= |$)/.exec(first)?.[1];
    const reply: SmtpReply = { code: Number(line.slice(0, 3)), enhanced, text: this.lines.join('\n') };
    this.lines = [];
    // A 421 may come at any time, in reply to anything or to nothing: the server is going away.
    const entry = this.expected[0];
    if (reply.code === 421) this.fail(new SmtpError(`421 ${reply.text}`, this.currentStage(), reply));
    else if (!entry || entry.kind === 'event') this.failProtocol('the server sent a reply nobody asked for');
    else this.onReply(entry, reply);
  }

  private onReply(entry: Expected, reply: SmtpReply): void {
    this.expected.shift();
    this.armTimer();
    if (entry.job) this.onJobReply(entry.kind, entry.job, reply);
    else if (entry.kind === 'quit')
      this.fail(new SmtpError('closed after QUIT', 'mail', undefined, 'ECLOSED'));
    else entry.waiter?.resolve(reply);
  }

  private onJobReply(kind: Expected['kind'], job: Job, reply: SmtpReply): void {
    const refused = reply.code >= 400;
    if (!refused && (kind === 'data' ? reply.code !== 354 : reply.code >= 300)) {
      this.failProtocol(`the server answered ${reply.code} to ${kind}`);
    } else if (kind === 'rset') {
      if (!this.canPipeline) this.writeStep(job, 'mail');
    } else if (kind === 'mail' || kind === 'rcpt') {
      if (kind === 'mail') job.mailAccepted = !refused;
      if (refused) this.settle(job, { accepted: false, stage: kind, reply });
      // Without PIPELINING nothing else was sent: stop here, or go on with the next command.
      if (this.canPipeline) return;
      if (!refused) this.writeStep(job, kind === 'mail' ? 'rcpt' : 'data');
      else this.finish(kind === 'rcpt');
    } else if (kind === 'data' && refused) {
      this.settle(job, { accepted: false, stage: 'data', reply });
      this.finish(job.mailAccepted);
    } else if (kind === 'data') {
      this.socket.cork();
      // The server opened DATA for a transaction it refused: close it empty (RFC 2920 section 3.1).
      if (job.settled) this.socket.write(END_AFTER_LINE);
      else this.writeBody(job.message);
      this.push({ kind: 'dot', stage: 'message', timeoutMs: this.dataTimeoutMs, job });
      // The next envelope leaves in the same write as this body: one round trip per message.
      if (this.canPipeline) this.finish(false);
      this.socket.uncork();
    } else {
      this.settle(job, refused ? { accepted: false, stage: 'message', reply } : { accepted: true, reply });
      if (!this.canPipeline) this.finish(false);
    }
  }

  /** Ends the active job's turn; `openTransaction`: the server may still hold its MAIL, so RSET first. */
  private finish(openTransaction: boolean): void {
    this.active = undefined;
    this.needsRset = openTransaction;
    this.pump();
  }

  private pump(): void {
    if (this.active || this.failure) return;
    const next = this.unwritten.shift();
    if (next === undefined) return;
    if (next === QUIT) {
      this.socket.write('QUIT\r\n');
      this.push({ kind: 'quit', stage: this.idleStage, timeoutMs: this.replyTimeoutMs });
      return;
    }
    this.active = next;
    const rset = this.needsRset;
    this.needsRset = false;
    if (!this.canPipeline) {
      this.writeStep(next, rset ? 'rset' : 'mail');
      return;
    }
    this.socket.write(`${rset ? 'RSET\r\n' : ''}${next.mail}${next.rcpt}DATA\r\n`);
    for (const kind of rset ? STEPS_AFTER_REFUSAL : STEPS) this.expectStep(next, kind);
  }

  private writeStep(job: Job, kind: Step): void {
    this.socket.write(kind === 'mail' ? job.mail : kind === 'rcpt' ? job.rcpt : COMMANDS[kind]);
    this.expectStep(job, kind);
  }

  private expectStep(job: Job, kind: Step): void {
    this.push({ kind, stage: kind === 'rset' ? 'mail' : kind, timeoutMs: this.replyTimeoutMs, job });
  }

  /** Dot-stuffs (RFC 5321 section 4.5.2) by writing views of the pieces around an extra '.', never copies. */
  private writeBody(pieces: readonly Buffer[]): void {
    let atLineStart = true;
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      if (atLineStart && piece[0] === DOT) this.socket.write(DOT_BUFFER);
      let from = 0;
      for (let hit = piece.indexOf(LF_DOT); hit !== -1; hit = piece.indexOf(LF_DOT, from)) {
        this.socket.write(piece.subarray(from, hit + 1));
        this.socket.write(DOT_BUFFER);
        from = hit + 1;
      }
      this.socket.write(from === 0 ? piece : piece.subarray(from));
      atLineStart = piece[piece.length - 1] === LF;
    }
    this.socket.write(atLineStart ? END_AFTER_LINE : END_MID_LINE);
  }

  private settle(job: Job, outcome: SendOutcome): void {
    if (job.settled) return;
    job.settled = true;
    job.resolve(outcome);
  }

  private failProtocol(message: string): void {
    this.fail(new SmtpError(message, this.currentStage(), undefined, 'EPROTO'));
  }

  private fail(error: SmtpError): void {
    if (this.failure) return;
    this.failure = error;
    clearTimeout(this.timer);
    this.socket.destroy();
    for (const entry of this.expected.splice(0)) {
      entry.waiter?.reject(error);
      if (entry.job && !entry.job.settled) {
        entry.job.settled = true;
        entry.job.reject(error);
      }
    }
    for (const job of this.unwritten.splice(0)) if (job !== QUIT) job.reject(error);
    for (const resolve of this.quitWaiters ?? []) resolve();
  }

  // One timer per connection, moved lazily: most replies arrive long before it would fire.
  private armTimer(): void {
    const head = this.expected[0];
    if (!head) {
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    this.deadline = Date.now() + head.timeoutMs;
    if (this.timer && this.timerAt <= this.deadline) return;
    clearTimeout(this.timer);
    this.startTimer(head.timeoutMs);
  }

  private startTimer(ms: number): void {
    this.timerAt = Date.now() + ms;
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const head = this.expected[0];
    if (!head) return;
    const left = this.deadline - Date.now();
    if (left > 0) {
      this.startTimer(left);
      return;
    }
    const what = head.kind === 'event' ? 'no connection' : 'no reply';
    this.fail(
      new SmtpError(`${head.stage}: ${what} within ${head.timeoutMs} ms`, head.stage, undefined, 'ETIMEDOUT'),
    );
  };
}
