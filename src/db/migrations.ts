// Versioned migrations, kept in code so that the built package needs no migration files on disk.
// Each one is written once and never edited: a new change is a new entry.
import { type ColumnDefinitionBuilder, type Kysely, type Migration, Migrator, sql } from 'kysely';
import { UserError } from '../user-error.js';
import { version } from '../version.js';
import type { Db, Engine } from './open-database.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not as it is now.
type AnyDb = Kysely<any>;

/** A table with an auto-incrementing integer key, the one column the two engines spell differently. */
function createTableWithId(db: AnyDb, engine: Engine, name: string) {
  return engine === 'postgres'
    ? db.schema.createTable(name).addColumn('id', 'bigserial', (c) => c.primaryKey())
    : db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

function migrations(engine: Engine): Record<string, Migration> {
  return {
    '2026-11-25-01-subscriptions': {
      async up(db: AnyDb) {
        await createTableWithId(db, engine, 'subscribers')
          .addColumn('key', 'text', (c) => c.notNull().unique())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('email_hmac', 'text', (c) => c.notNull().unique())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('confirmed_at', 'text')
          .addColumn('unsubscribed_at', 'text')
          .execute();
        await db.schema
          .createIndex('subscribers_status')
          .on('subscribers')
          .columns(['status', 'id'])
          .execute();

        await createTableWithId(db, engine, 'confirmations')
          .addColumn('subscriber_id', engine === 'postgres' ? 'bigint' : 'integer', (c) =>
            c.notNull().references('subscribers.id').onDelete('cascade'),
          )
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('canary_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .addColumn('scanned_at', 'text')
          .addColumn('proof', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('confirmations_subscriber')
          .on('confirmations')
          .columns(['subscriber_id', 'created_at'])
          .execute();

        await createTableWithId(db, engine, 'outbox')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('subscriber_id', engine === 'postgres' ? 'bigint' : 'integer', (c) =>
            c.references('subscribers.id').onDelete('set null'),
          )
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('html', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('headers', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull().unique())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('lease_until', 'text')
          .addColumn('sent_at', 'text')
          .addColumn('last_error', 'text')
          .execute();
        await db.schema
          .createIndex('outbox_due')
          .on('outbox')
          .columns(['status', 'next_attempt_at'])
          .execute();

        await db.schema
          .createTable('ledger_events')
          .addColumn('seq', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.primaryKey())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('email_hmac', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('proof', 'text')
          .addColumn('proof_hash', 'text')
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('ledger_email')
          .on('ledger_events')
          .columns(['email_hmac', 'seq'])
          .execute();
      },
    },
    '2026-11-26-01-issues': {
      async up(db: AnyDb) {
        const id = engine === 'postgres' ? 'bigint' : 'integer';
        await createTableWithId(db, engine, 'issues')
          .addColumn('note_slug', 'text', (c) => c.notNull().unique())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('note_url', 'text', (c) => c.notNull())
          .addColumn('html', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('hold_reason', 'text')
          .addColumn('last_error', 'text')
          .addColumn('published_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('snapshot_at', 'text')
          .addColumn('snapshot_max_subscriber_id', id)
          .addColumn('recipients', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('finished_at', 'text')
          .execute();

        await createTableWithId(db, engine, 'issue_batches')
          .addColumn('issue_id', id, (c) => c.notNull().references('issues.id').onDelete('cascade'))
          .addColumn('first_subscriber_id', id, (c) => c.notNull())
          .addColumn('last_subscriber_id', id, (c) => c.notNull())
          .addColumn('acked_through', id, (c) => c.notNull())
          .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('deferred', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('worker', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('checkpoint_at', 'text')
          .execute();
        await db.schema
          .createIndex('issue_batches_claim')
          .on('issue_batches')
          .columns(['issue_id', 'state', 'id'])
          .execute();

        await db.schema
          .createTable('issue_exceptions')
          .addColumn('issue_id', id, (c) => c.notNull().references('issues.id').onDelete('cascade'))
          .addColumn('subscriber_id', id, (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('lease_until', 'text')
          .addColumn('code', 'integer')
          .addColumn('reply', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('issue_exceptions_pk', ['issue_id', 'subscriber_id'])
          .execute();
        await db.schema
          .createIndex('issue_exceptions_due')
          .on('issue_exceptions')
          .columns(['state', 'next_attempt_at'])
          .execute();

        await createTableWithId(db, engine, 'bounce_events')
          .addColumn('subscriber_id', id)
          .addColumn('issue_id', id)
          .addColumn('outbox_id', id)
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('class', 'text', (c) => c.notNull())
          .addColumn('status', 'text')
          .addColumn('diagnostic', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('bounce_events_subscriber')
          .on('bounce_events')
          .columns(['subscriber_id', 'id'])
          .execute();

        // Outbox rows keep the stage and class of the relay's last reply, so `errorbudget outbox`
        // can tell a reader's bounce from the sender's own problem.
        await db.schema.alterTable('outbox').addColumn('last_reply_class', 'text').execute();
      },
    },
    '2026-11-26-02-subscriptions-hardening': {
      async up(db: AnyDb) {
        // Subscribe requests are recorded as they come and decided by a worker, so that answering takes
        // the same work whatever the address's state. A row lives only until it is decided.
        await createTableWithId(db, engine, 'subscribe_requests')
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('email_hmac', 'text', (c) => c.notNull())
          .addColumn('form', 'text', (c) => c.notNull())
          .addColumn('wording', 'text', (c) => c.notNull())
          .addColumn('ip', 'text', (c) => c.notNull())
          .addColumn('user_agent', 'text', (c) => c.notNull())
          .addColumn('requested_at', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_until', 'text')
          .execute();
        await db.schema
          .createIndex('subscribe_requests_hmac')
          .on('subscribe_requests')
          .column('email_hmac')
          .execute();
        // Confirmation mails are limited per mailbox (a+x@ and A@ are one inbox), not per spelling.
        await db.schema.alterTable('confirmations').addColumn('mailbox_hmac', 'text').execute();
        await db.schema
          .createIndex('confirmations_mailbox')
          .on('confirmations')
          .columns(['mailbox_hmac', 'created_at'])
          .execute();
        // Requests for an address that is already pending are counted, not each written to the ledger.
        await db.schema
          .alterTable('subscribers')
          .addColumn('repeat_requests', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '2026-11-26-03-ledger-and-secret': {
      async up(db: AnyDb) {
        // Events written before this point stay version 1 (plain SHA-256) and keep verifying as they
        // were; from here on each event is keyed from SECRET (version 2). A migration cannot re-chain
        // the old events: it does not hold SECRET, and rewriting them would destroy what they prove.
        await db.schema
          .alterTable('ledger_events')
          .addColumn('chain', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        // One row: a keyed hash of the SECRET the database was first opened with, never the secret.
        await db.schema
          .createTable('secret_fingerprint')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '2026-11-27-01-admin': {
      async up(db: AnyDb) {
        const idType = engine === 'postgres' ? 'bigint' : 'integer';
        const adminRef = (c: ColumnDefinitionBuilder) =>
          c.notNull().references('admins.id').onDelete('cascade');
        await createTableWithId(db, engine, 'admins')
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          // Set by `admin create --require-2fa`: the first login must enrol a second factor.
          .addColumn('second_factor_required', 'integer', (c) => c.notNull().defaultTo(0))
          // Sealed with a key derived from SECRET: a copy of the database alone does not give the codes.
          .addColumn('totp_secret', 'text')
          // The last TOTP time step accepted: a code seen once is refused afterwards (RFC 6238, 5.2).
          .addColumn('totp_last_step', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        // Only a hash of the session token is stored: a read of the table does not give a usable cookie.
        await createTableWithId(db, engine, 'admin_sessions')
          .addColumn('admin_id', idType, adminRef)
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          // password: a second factor is still due; enrol: one must be set up first; full: signed in.
          .addColumn('stage', 'text', (c) => c.notNull())
          .addColumn('challenge', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('admin_sessions_admin').on('admin_sessions').column('admin_id').execute();
        await createTableWithId(db, engine, 'admin_passkeys')
          .addColumn('admin_id', idType, adminRef)
          .addColumn('credential_id', 'text', (c) => c.notNull().unique())
          .addColumn('public_key', 'text', (c) => c.notNull())
          .addColumn('counter', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('transports', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_used_at', 'text')
          .execute();
        await db.schema.createIndex('admin_passkeys_admin').on('admin_passkeys').column('admin_id').execute();
        await createTableWithId(db, engine, 'admin_recovery_codes')
          .addColumn('admin_id', idType, adminRef)
          .addColumn('code_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .execute();
        await db.schema
          .createIndex('admin_recovery_codes_admin')
          .on('admin_recovery_codes')
          .column('admin_id')
          .execute();
        // Failed logins, by client address and by account, counted in the database so that every web
        // process sees the same count. Rows older than the window are deleted as new ones come.
        await createTableWithId(db, engine, 'admin_login_failures')
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('admin_login_failures_key')
          .on('admin_login_failures')
          .columns(['key', 'at'])
          .execute();
      },
    },
    '2026-11-27-02-admin-subscribers': {
      async up(db: AnyDb) {
        // The admin searches addresses by prefix, whatever their case, and pages through the matches
        // by (address, id). PostgreSQL compares in byte order under collation "C", so the range a prefix
        // spans is the same under any database collation.
        await sql
          .raw(
            engine === 'postgres'
              ? 'create index subscribers_email_prefix on subscribers ((lower(email) collate "C"), id)'
              : 'create index subscribers_email_prefix on subscribers (lower(email), id)',
          )
          .execute(db);
        // The dashboard counts the bounces and complaints of its latest issues.
        await db.schema
          .createIndex('bounce_events_issue')
          .on('bounce_events')
          .columns(['issue_id', 'class'])
          .execute();
        await createSubscriberCounts(db, engine);
      },
    },
    '2026-11-27-04-error-budget': {
      async up(db: AnyDb) {
        // Each process adds its requests of the minute here (an upsert that adds), so the availability
        // budget survives restarts and counts every process; rows older than 28 days are dropped.
        const minutes = db.schema
          .createTable('request_minutes')
          .addColumn('minute', 'text', (c) => c.primaryKey())
          .addColumn('requests', 'bigint', (c) => c.notNull())
          .addColumn('server_errors', 'bigint', (c) => c.notNull());
        // Rows stored in key order: a 28-day sum reads 40,320 minutes in one range, not via an index.
        await (engine === 'sqlite' ? minutes.modifyEnd(sql`without rowid`) : minutes).execute();
        // A confirmation mail is judged from the subscribe request, which the request worker decides a
        // moment (or, with no worker running, much) later than the mail is queued.
        await db.schema.alterTable('outbox').addColumn('requested_at', 'text').execute();
        await db.updateTable('outbox').set({ requested_at: sql`created_at` }).execute();
        // Covering what the confirmation objective reads: a mail's body (kilobytes) is never read for it.
        await db.schema
          .createIndex('outbox_kind_requested')
          .on('outbox')
          .columns(['kind', 'requested_at', 'sent_at', 'status', 'last_reply_class'])
          .execute();
        // Readers the relay accepted by the delivery deadline, counted as the cursor moves.
        await db.schema
          .alterTable('issue_batches')
          .addColumn('sent_on_time', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        // Batches finished before this migration: on time for certain only when their last
        // checkpoint came before the deadline; the others are not known to be, and count as late.
        const deadline =
          engine === 'postgres'
            ? sql`(case when i.snapshot_at > i.created_at then i.snapshot_at else i.published_at end)::timestamptz + interval '1 hour'`
            : sql`julianday(case when i.snapshot_at > i.created_at then i.snapshot_at else i.published_at end) + 1.0 / 24`;
        const checkpointAt =
          engine === 'postgres'
            ? sql`issue_batches.checkpoint_at::timestamptz`
            : sql`julianday(issue_batches.checkpoint_at)`;
        await sql`update issue_batches set sent_on_time = sent
          where state = 'done' and exists (
            select 1 from issues i where i.id = issue_batches.issue_id and ${checkpointAt} <= ${deadline}
          )`.execute(db);
      },
    },
  };
}

/**
 * Counting a million subscribers by status, or by day over 90 days, reads the whole table; the dashboard
 * must answer in milliseconds. Triggers keep a ledger of counts instead: one row (day, status, ±n) per
 * change, appended and never updated, so concurrent writers never wait on each other; readers sum it,
 * and fold the appended rows into one per day and status from time to time (subscriptions/status-counts.ts).
 */
async function createSubscriberCounts(db: AnyDb, engine: Engine) {
  await db.schema
    .createTable('subscriber_counts')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('delta', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('summed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('subscriber_counts_summed')
    .on('subscriber_counts')
    .columns(['summed', 'day'])
    .execute();
  await sql`
    insert into subscriber_counts (day, status, delta, summed)
    select substr(created_at, 1, 10), status, count(*), 1 from subscribers group by substr(created_at, 1, 10), status
  `.execute(db);
  // A status change is dated by updated_at, which every status-changing statement sets; a deletion (an
  // erasure) carries no date, so it is dated by the database's clock.
  if (engine === 'sqlite') {
    await sql`create trigger subscriber_counts_insert after insert on subscribers begin
      insert into subscriber_counts (day, status, delta) values (substr(new.created_at, 1, 10), new.status, 1);
    end`.execute(db);
    await sql`create trigger subscriber_counts_update after update of status on subscribers
      when old.status <> new.status begin
      insert into subscriber_counts (day, status, delta)
        values (substr(new.updated_at, 1, 10), old.status, -1), (substr(new.updated_at, 1, 10), new.status, 1);
    end`.execute(db);
    await sql`create trigger subscriber_counts_delete after delete on subscribers begin
      insert into subscriber_counts (day, status, delta) values (strftime('%Y-%m-%d', 'now'), old.status, -1);
    end`.execute(db);
    return;
  }
  // Statement-level triggers with transition tables: an import's batch of 2,000 rows adds a few count
  // rows, not 2,000. (PostgreSQL allows one event per trigger with transition tables, hence three.)
  await sql`create function subscriber_counts_inserted() returns trigger language plpgsql as $$
    begin
      insert into subscriber_counts (day, status, delta)
        select substr(created_at, 1, 10), status, count(*) from inserted group by 1, 2;
      return null;
    end $$`.execute(db);
  await sql`create function subscriber_counts_updated() returns trigger language plpgsql as $$
    begin
      insert into subscriber_counts (day, status, delta)
        select day, status, sum(delta) from (
          select substr(n.updated_at, 1, 10) as day, o.status, -1 as delta
            from old_rows o join new_rows n on n.id = o.id where o.status <> n.status
          union all
          select substr(n.updated_at, 1, 10), n.status, 1
            from old_rows o join new_rows n on n.id = o.id where o.status <> n.status
        ) changes group by day, status;
      return null;
    end $$`.execute(db);
  await sql`create function subscriber_counts_deleted() returns trigger language plpgsql as $$
    begin
      insert into subscriber_counts (day, status, delta)
        select to_char(now() at time zone 'utc', 'YYYY-MM-DD'), status, -count(*) from deleted group by 2;
      return null;
    end $$`.execute(db);
  await sql`create trigger subscriber_counts_insert after insert on subscribers
    referencing new table as inserted for each statement execute function subscriber_counts_inserted()`.execute(
    db,
  );
  await sql`create trigger subscriber_counts_update after update on subscribers
    referencing old table as old_rows new table as new_rows for each statement
    execute function subscriber_counts_updated()`.execute(db);
  await sql`create trigger subscriber_counts_delete after delete on subscribers
    referencing old table as deleted for each statement execute function subscriber_counts_deleted()`.execute(
    db,
  );
}

export interface MigrationReport {
  applied: string[];
}

/** An arbitrary constant: the advisory lock every errorbudget process takes to migrate. */
export const migrationLockKey = 7_415_226_001;

/**
 * Brings the schema up to date; safe to run from several processes at once. On PostgreSQL the whole run
 * holds an advisory lock: Kysely locks only after creating its own bookkeeping tables, and two processes
 * creating them at the same moment fail on a pg_type unique violation. A database that a newer
 * errorbudget migrated is refused, untouched: this version's code does not know its tables.
 */
export async function migrate(db: Db): Promise<MigrationReport> {
  if (db.engine !== 'postgres') return migrateUnlocked(db);
  return db.kysely.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${migrationLockKey})`.execute(connection);
    try {
      return await migrateUnlocked(db);
    } finally {
      await sql`select pg_advisory_unlock(${migrationLockKey})`.execute(connection);
    }
  });
}

async function migrateUnlocked(db: Db, definitions = migrations(db.engine)): Promise<MigrationReport> {
  refuseNewerDatabase(await migrationPlan(db, definitions));
  // Kysely looks for its bookkeeping tables in every schema it can see; pin it to ours, or another
  // schema's tables on the same server would be mistaken for them.
  const schema =
    db.engine === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: db.kysely,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: { getMigrations: async () => definitions },
  });
  // One step at a time: each migration and its bookkeeping row commit together (both engines have
  // transactional DDL), so a failure leaves the schema at the last whole step, never half of one.
  const applied: string[] = [];
  for (;;) {
    const { error, results = [] } = await migrator.migrateUp();
    if (error) throw error;
    const done = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (done.length === 0) return { applied };
    applied.push(...done);
  }
}

/** Runs a set of migrations other than the application's own: for tests of the migrating itself. */
export function migrateWith(db: Db, definitions: Record<string, Migration>): Promise<MigrationReport> {
  return migrateUnlocked(db, definitions);
}

export interface MigrationPlan {
  /** Applied to the database, oldest first. */
  applied: string[];
  /** Known to this version and not yet applied, in the order they would run. */
  pending: string[];
  /** Applied by another (newer) errorbudget, unknown to this one. */
  unknown: string[];
}

/** What `migrate` would do, read without changing anything (not even Kysely's bookkeeping tables). */
export async function migrationPlan(db: Db, definitions = migrations(db.engine)): Promise<MigrationPlan> {
  const applied = (await hasMigrationTable(db))
    ? (
        await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.kysely)
      ).rows.map((row) => row.name)
    : [];
  return planOf(applied, Object.keys(definitions).sort());
}

/** The plan for a database that does not exist yet: everything would run. */
export function emptyDatabasePlan(engine: Engine): MigrationPlan {
  return planOf([], Object.keys(migrations(engine)).sort());
}

function planOf(applied: string[], known: string[]): MigrationPlan {
  const done = new Set(applied);
  const knownSet = new Set(known);
  return {
    applied,
    pending: known.filter((name) => !done.has(name)),
    unknown: applied.filter((name) => !knownSet.has(name)),
  };
}

async function hasMigrationTable(db: Db): Promise<boolean> {
  // to_regclass follows search_path, so it finds the table in our own schema only.
  const query =
    db.engine === 'postgres'
      ? sql<{ found: unknown }>`select to_regclass('kysely_migration') as found`
      : sql<{
          found: unknown;
        }>`select name as found from sqlite_master where type = 'table' and name = 'kysely_migration'`;
  const row = (await query.execute(db.kysely)).rows[0];
  return row?.found !== undefined && row.found !== null;
}

export function refuseNewerDatabase(plan: MigrationPlan): void {
  const [first] = plan.unknown;
  if (first === undefined) return;
  throw new UserError(
    `it was upgraded by a newer errorbudget (it has migration ${first}, unknown to errorbudget ${version}): ` +
      'run that newer version, or restore the backup taken before the upgrade; migrations only go forward',
    'database',
  );
}

export async function schemaVersion(db: Db): Promise<string | undefined> {
  const rows = await sql<{
    name: string;
  }>`select name from kysely_migration order by name desc limit 1`.execute(db.kysely);
  return rows.rows[0]?.name;
}

/** The newest migration this build knows: a backup made by a newer errorbudget is refused. */
export function latestMigration(engine: Engine): string {
  return Object.keys(migrations(engine)).sort().at(-1) ?? '';
}
