// Everything behind the pages: the database, the secret, the mail transport, the delivery worker and
// the subscriptions built on them. One place so that `serve`, the CLI and the tests wire them alike.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ensureSecret } from '../config/ensure-secret.js';
import type { Config } from '../config/load-config.js';
import { migrate } from '../db/migrations.js';
import { type Db, openDatabase } from '../db/open-database.js';
import { DeliveryWorker } from '../delivery/delivery-worker.js';
import { mailboxTransport, smtpTransport, type Transport } from '../mail/transport.js';
import type { LiveSite } from '../site/live-site.js';
import { Subscriptions } from '../subscriptions/subscriptions.js';
import { Keys } from '../subscriptions/tokens.js';
import { UserError } from '../user-error.js';

export interface Services {
  db: Db;
  keys: Keys;
  transport: Transport;
  worker: DeliveryWorker;
  subscriptions: Subscriptions;
  close(): Promise<void>;
}

export function mailboxDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'mailbox');
}

export async function openDatabaseFor(config: Pick<Config, 'databaseUrl'>): Promise<Db> {
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
    return db;
  } catch (error) {
    await db.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01') {
      throw new UserError(`cannot open the database (${(error as Error).message})`, 'DATABASE_URL');
    }
    throw error;
  }
}

export async function openServices(
  config: Config,
  { live, log, clock, db: given }: { live: LiveSite; log: Logger; clock: Clock; db?: Db },
): Promise<Services> {
  const db = given ?? (await openDatabaseFor(config));
  const keys = new Keys(ensureSecret(config));
  const transport = config.smtpUrl ? smtpTransport(config.smtpUrl) : mailboxTransport(mailboxDir(config));
  const mailContext = () => ({
    siteTitle: live.snapshot.site.title,
    siteUrl: config.siteUrl,
    postalAddress: live.snapshot.site.mail.postalAddress,
  });
  const from =
    config.mailFrom ??
    `"${live.snapshot.site.title.replace(/"/g, '')}" <newsletter@${new URL(config.siteUrl).hostname}>`;
  const worker = new DeliveryWorker({ db, transport, clock, log, from });
  const subscriptions = new Subscriptions({ db, keys, clock, mailContext, onQueued: () => worker.wake() });
  return {
    db,
    keys,
    transport,
    worker,
    subscriptions,
    async close() {
      await worker.stop();
      transport.close();
      if (!given) await db.close();
    },
  };
}
