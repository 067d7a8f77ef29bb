// Everything behind the pages: the database, the secret, mail out (outbox and issues) and back in
// (bounces), and the subscriptions built on them. One place so that `serve`, `worker`, the CLI and the
// tests wire them alike.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load-config.js';
import { mailFrom, mailFromWarning } from '../config/mail-from.js';
import { securePrivateDir } from '../config/private-files.js';
import { migrate } from '../db/migrations.js';
import { type Db, openDatabase } from '../db/open-database.js';
import { type ComposableIssue, IssueComposer, type PersonalLinks } from '../delivery/issue-composer.js';
import { IssueSender } from '../delivery/issue-sender.js';
import { summariseOutbox } from '../delivery/outbox.js';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { recordReport } from '../delivery/record-report.js';
import { mailboxRelay, type Relay, smtpRelay } from '../delivery/relay.js';
import { IssueScheduler } from '../delivery/schedule-issues.js';
import { VerpCodec } from '../delivery/verp.js';
import { bindSecret } from '../ledger/bind-secret.js';
import { CheckpointWriter } from '../ledger/checkpoint-writer.js';
import { DkimSigner, nodemailerDkim } from '../mail/dkim-signer.js';
import { mailboxTransport, smtpTransport, type Transport } from '../mail/transport.js';
import { errorBudgets } from '../observability/error-budget.js';
import { LoopMonitor } from '../observability/loop-monitor.js';
import type { Metrics } from '../observability/metrics.js';
import { checkReadiness, type ReadinessReport } from '../observability/readiness.js';
import { RequestRecorder } from '../observability/request-minutes.js';
import type { RequestTally } from '../observability/request-tally.js';
import type { LiveSite } from '../site/live-site.js';
import { ProofRetention } from '../subscriptions/proof-retention.js';
import { Subscriptions } from '../subscriptions/subscriptions.js';
import { readerActions } from '../subscriptions/suppress.js';
import { Keys } from '../subscriptions/tokens.js';
import { UserError } from '../user-error.js';
import { issueContentOf } from './issue-content.js';

export interface Services {
  db: Db;
  keys: Keys;
  verp: VerpCodec;
  transport: Transport;
  relay: Relay;
  outbox: OutboxWorker;
  issues: IssueSender;
  scheduler: IssueScheduler;
  subscriptions: Subscriptions;
  /** Drops readers' IP addresses and user agents once site.yml's retention period has passed. */
  retention: ProofRetention;
  /** Adds this process's answered requests to the database, for the availability budget (started by `serve`). */
  availability: RequestRecorder;
  from: string;
  composerFor(issue: ComposableIssue): IssueComposer;
  /** Starts the background work: outbox, issues, the schedule, and the bounce listener if configured. */
  startWorkers(): Promise<{ bouncePort: number | undefined }>;
  /** What /readyz answers: the database, its schema, and the workers' loops if this process runs them. */
  readiness(): Promise<ReadinessReport>;
  close(): Promise<void>;
}

export function mailboxDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'mailbox');
}

export async function openDatabaseFor(
  config: Pick<Config, 'databaseUrl' | 'secret' | 'dataDir'>,
): Promise<Db> {
  securePrivateDir(config.dataDir);
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
    await bindSecret(db.kysely, config);
    return db;
  } catch (error) {
    await db.close();
    throw asDatabaseUserError(error);
  }
}

/** A database that is not there, or refuses us, is the operator's to fix: one line, not a stack. */
export function asDatabaseUserError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01') {
    return new UserError(`cannot open the database (${(error as Error).message})`, 'DATABASE_URL');
  }
  return error;
}

function dkimSignerFor(config: Config): DkimSigner | undefined {
  if (!config.dkim) return undefined;
  try {
    return new DkimSigner(config.dkim);
  } catch (error) {
    throw new UserError(
      (error as Error).message.replace(/^DKIM_PRIVATE_KEY: /, ''),
      'configuration: DKIM_PRIVATE_KEY',
    );
  }
}

export interface ServiceOptions {
  live: LiveSite;
  log: Logger;
  clock: Clock;
  db?: Db;
  /** Counts subscriptions and deliveries, and reads the outbox when scraped. */
  metrics?: Metrics;
  /** The tally the web server counts into, when it answered before the services were open (`serve`). */
  requestTally?: RequestTally;
  /** Tests shorten polls, and may trust a test relay's certificate. */
  tuning?: {
    pollMs?: number;
    checkpointEvery?: number;
    relayTls?: import('node:tls').ConnectionOptions;
  };
}

export async function openServices(config: Config, o: ServiceOptions): Promise<Services> {
  const { live, log, clock } = o;
  const db = o.db ?? (await openDatabaseFor(config));
  const { secret, ledgerKeys } = await bindSecret(db.kysely, config);
  const keys = new Keys(secret);
  const verp = new VerpCodec(secret, config.bounce.domain);
  const dkim = dkimSignerFor(config);
  const transport = config.smtpUrl
    ? smtpTransport(config.smtpUrl, {
        pool: config.smtpPool,
        ...(config.dkim ? { dkim: nodemailerDkim(config.dkim) } : {}),
      })
    : mailboxTransport(mailboxDir(config));
  const relay = config.smtpUrl
    ? smtpRelay(config.smtpUrl, o.tuning?.relayTls)
    : mailboxRelay(mailboxDir(config), () => clock.now());
  const siteTitle = () => live.snapshot.site.title;
  const mailContext = () => ({
    siteTitle: siteTitle(),
    siteUrl: config.siteUrl,
    postalAddress: live.snapshot.site.mail.postalAddress,
    language: live.snapshot.site.language,
  });
  const from = mailFrom(config, siteTitle());
  const fromWarning = mailFromWarning(config);
  if (fromWarning) log.warn(fromWarning);
  const actions = readerActions(db.engine);
  // Set when the workers start: a process without them has no loops to watch.
  let loops: LoopMonitor | undefined;
  const turns: { outbox?: () => void; schedule?: () => void } = {};
  o.metrics?.watchOutbox(
    () => summariseOutbox(db.kysely, clock.now()),
    () => clock.now(),
  );
  o.metrics?.watchErrorBudgets(() => errorBudgets({ db, targets: live.snapshot.site.slo, now: clock.now() }));
  const availability = new RequestRecorder({
    db: db.kysely,
    clock,
    log,
    ...(o.requestTally ? { tally: o.requestTally } : {}),
  });
  const outbox = new OutboxWorker({
    db,
    transport,
    clock,
    log,
    from,
    verp,
    actions,
    concurrency: config.smtpPool,
    leaseMs: config.leaseMs,
    onLoop: () => turns.outbox?.(),
    ...(o.metrics ? { observer: o.metrics.delivery } : {}),
    ...(o.tuning?.pollMs ? { pollMs: o.tuning.pollMs } : {}),
  });
  const subscriptions = new Subscriptions({
    db,
    keys,
    clock,
    log,
    mailContext,
    onQueued: () => outbox.wake(),
    ...(o.metrics ? { observer: o.metrics.subscriptions } : {}),
    ...(config.smtpUrl ? {} : { localMailbox: mailboxDir(config) }),
    ...(o.tuning?.pollMs ? { pollMs: o.tuning.pollMs } : {}),
  });
  const links = (key: string): PersonalLinks => ({
    ...subscriptions.personalLinks(key),
    unsubscribeMailto: `u+${keys.personalToken(key)}@${config.bounce.domain}`,
  });
  const composerFor = (issue: ComposableIssue) =>
    new IssueComposer(issue, { from, siteTitle: siteTitle(), siteUrl: config.siteUrl, verp, dkim, links });
  const issues = new IssueSender({
    db,
    clock,
    log,
    relay,
    actions,
    composerFor,
    workerId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    lanes: config.smtpPool,
    sendRate: config.sendRate,
    leaseMs: config.leaseMs,
    ...(o.metrics ? { observer: o.metrics.delivery } : {}),
    ...(o.tuning?.pollMs ? { pollMs: o.tuning.pollMs } : {}),
    ...(o.tuning?.checkpointEvery ? { checkpointEvery: o.tuning.checkpointEvery } : {}),
  });
  const scheduler = new IssueScheduler({
    db,
    clock,
    log,
    notes: () => live.snapshot.notes,
    render: (slug) => issueContentOf(live, config.siteUrl, slug),
    settled: () => live.unrendered === 0,
    onStarted: () => issues.wake(),
    onTick: () => turns.schedule?.(),
    ...(o.tuning?.pollMs ? { pollMs: o.tuning.pollMs } : {}),
  });
  const checkpoints = new CheckpointWriter({
    db: db.kysely,
    keys: ledgerKeys,
    file: config.ledgerCheckpointFile,
    clock,
    log,
  });
  const retention = new ProofRetention({
    db,
    clock,
    log,
    months: () => live.snapshot.site.privacy.retentionMonths,
  });
  let bounceListener: { port: number; close(): Promise<void> } | undefined;
  return {
    db,
    keys,
    verp,
    transport,
    relay,
    outbox,
    issues,
    scheduler,
    subscriptions,
    retention,
    availability,
    from,
    composerFor,
    async startWorkers() {
      loops = new LoopMonitor();
      turns.outbox = loops.watch('outbox');
      turns.schedule = loops.watch('schedule');
      outbox.start();
      subscriptions.requests.start();
      issues.start();
      scheduler.start();
      checkpoints.start();
      retention.start();
      if (config.bounce.port !== undefined) {
        const tls = config.bounce.tls;
        // Loaded only where bounces are received: the SMTP server and MIME parser are not small.
        const { startBounceListener } = await import('../delivery/bounce-listener.js');
        bounceListener = await startBounceListener({
          port: config.bounce.port,
          host: config.bounce.host,
          verp,
          log,
          ...(tls ? { tls: { key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) } } : {}),
          onReport: (ref, verdict) => recordReport({ db, actions, log, clock }, ref, verdict),
          unsubscribe: {
            isToken: (token) => keys.subscriberKeyOf(token) !== undefined,
            onUnsubscribe: async (token) => {
              await subscriptions.unsubscribe(token, {
                ip: '',
                userAgent: '',
                how: 'mail to List-Unsubscribe',
              });
            },
          },
        });
        log.info(
          `bounces and complaints are received on ${config.bounce.host}:${bounceListener.port} for ${config.bounce.domain}`,
        );
      }
      return { bouncePort: bounceListener?.port };
    },
    readiness: () => checkReadiness({ db, loops: () => loops }),
    async close() {
      await availability.stop();
      await scheduler.stop();
      await bounceListener?.close();
      await subscriptions.requests.stop();
      await Promise.all([outbox.stop(), issues.stop()]);
      transport.close();
      await retention.stop();
      await checkpoints.stop();
      if (!o.db) await db.close();
    },
  };
}
