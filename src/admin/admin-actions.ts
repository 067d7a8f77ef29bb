// Every admin action becomes a ledger event naming the admin, so the audit trail shows who did what.
// Readers appear in the detail by subscriber id only, never by address.
import type { Transaction } from 'kysely';
import { type Clock, systemClock } from '../clock.js';
import type { Db, Engine } from '../db/open-database.js';
import type { Database } from '../db/schema.js';
import { appendEvent, type NewEvent } from '../ledger/ledger.js';

export interface ActingAdmin {
  id: number;
  email: string;
}

/** The event for an admin's action, for code that appends it inside a transaction of its own. */
export function adminActionEvent(
  admin: ActingAdmin,
  action: string,
  detail: Record<string, unknown> = {},
  at: Date = systemClock.now(),
): NewEvent {
  return {
    at: at.toISOString(),
    kind: 'admin_action',
    // The chain's per-person column: an admin is not a reader, so no reader's erasure ever touches it.
    emailHmac: `admin:${admin.id}`,
    detail: { ...detail, admin: admin.email, action },
  };
}

/** Appends the event inside a transaction that also makes the change it records. */
export function appendAdminAction(
  trx: Transaction<Database>,
  engine: Engine,
  admin: ActingAdmin,
  action: string,
  detail?: Record<string, unknown>,
  clock: Clock = systemClock,
): Promise<number> {
  return appendEvent(trx, engine, adminActionEvent(admin, action, detail, clock.now()));
}

/** Records an action on its own. */
export function recordAdminAction(
  db: Db,
  admin: ActingAdmin,
  action: string,
  detail?: Record<string, unknown>,
  clock: Clock = systemClock,
): Promise<number> {
  return db.kysely
    .transaction()
    .execute((trx) => appendAdminAction(trx, db.engine, admin, action, detail, clock));
}
