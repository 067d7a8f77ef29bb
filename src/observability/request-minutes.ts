// Requests answered, added up per minute in the database by every process that serves: the data of the
// availability objective. The request path only increments a number or two in memory; a timer (and the
// stop) adds them to the minute's row with an upsert that adds, so two web processes and any number of
// restarts sum up, and rows past the 28-day window are dropped.
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { EventCounts } from '../delivery/delivery-objectives.js';
import { RequestTally } from './request-tally.js';

/** Kept a day past the window, so a clock a little off never drops a minute still counted. */
const keepMs = 29 * 86_400_000;
const pruneEveryMs = 3600_000;

export function minuteOf(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
}

export async function addRequests(
  db: Kysely<Database>,
  minute: string,
  requests: number,
  serverErrors: number,
): Promise<void> {
  await db
    .insertInto('request_minutes')
    .values({ minute, requests, server_errors: serverErrors })
    .onConflict((oc) =>
      oc.column('minute').doUpdateSet({
        requests: sql`request_minutes.requests + excluded.requests`,
        server_errors: sql`request_minutes.server_errors + excluded.server_errors`,
      }),
    )
    .execute();
}

/** Requests in the minutes that start in [from, to]; good ones are those answered without a 5xx. */
export async function requestCounts(db: Kysely<Database>, from: Date, to: Date): Promise<EventCounts> {
  const row = await db
    .selectFrom('request_minutes')
    .select((eb) => [eb.fn.sum('requests').as('requests'), eb.fn.sum('server_errors').as('errors')])
    .where('minute', '>=', minuteOf(from))
    .where('minute', '<=', to.toISOString())
    .executeTakeFirst();
  const total = Number(row?.requests ?? 0);
  return { good: total - Number(row?.errors ?? 0), total };
}

export interface RequestRecorderOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  flushMs?: number;
  /** The tally the web server already counts into, when it started answering before the database was open. */
  tally?: RequestTally;
}

/** Writes the tally to the database every few seconds and at the stop. */
export class RequestRecorder {
  readonly tally: RequestTally;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private prunedAt = 0;

  constructor(private readonly o: RequestRecorderOptions) {
    this.tally = o.tally ?? new RequestTally();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.o.flushMs ?? 10_000);
    this.timer.unref();
  }

  /** One write at a time; counts that could not be written stay for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    const { requests, serverErrors } = this.tally;
    if (requests === 0) return;
    this.tally.requests -= requests;
    this.tally.serverErrors -= serverErrors;
    const now = this.o.clock.now();
    try {
      await addRequests(this.o.db, minuteOf(now), requests, serverErrors);
    } catch (error) {
      this.tally.requests += requests;
      this.tally.serverErrors += serverErrors;
      this.o.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'could not record request counts for the availability budget; keeping them for the next try',
      );
      return;
    }
    if (now.getTime() - this.prunedAt < pruneEveryMs) return;
    this.prunedAt = now.getTime();
    await this.o.db
      .deleteFrom('request_minutes')
      .where('minute', '<', new Date(now.getTime() - keepMs).toISOString())
      .execute()
      // The next hour tries again; the rows cost nothing meanwhile.
      .catch(() => undefined);
  }
}
