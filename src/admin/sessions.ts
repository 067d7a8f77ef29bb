// Admin sessions, kept server-side. The cookie carries a random token; the table holds only its hash,
// so neither a database read nor a log line gives a usable session. A session ends after an hour
// without a request, after twelve hours whatever happens, and at logout.
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { Admin, AdminSession, AdminSessionStage } from '../db/schema.js';
import { hashToken, randomToken } from '../subscriptions/tokens.js';

export const sessionLifetimes = {
  idleMs: 60 * 60 * 1000,
  absoluteMs: 12 * 60 * 60 * 1000,
  /** A session half-way through login (password given, second factor not yet): minutes, not hours. */
  unfinishedMs: 10 * 60 * 1000,
} as const;

/** last_seen_at is written at most this often: not a database write for every request. */
const touchEveryMs = 60 * 1000;

export interface StartedSession {
  token: string;
  session: AdminSession;
}

export async function startSession(
  db: Db,
  clock: Clock,
  adminId: number,
  stage: AdminSessionStage,
): Promise<StartedSession> {
  const token = randomToken();
  const now = clock.now();
  const lifetime = stage === 'full' ? sessionLifetimes.absoluteMs : sessionLifetimes.unfinishedMs;
  const session = await db.kysely
    .insertInto('admin_sessions')
    .values({
      admin_id: adminId,
      token_hash: hashToken(token),
      csrf_token: randomToken(),
      stage,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + lifetime).toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, session };
}

export interface LiveSession {
  session: AdminSession;
  admin: Pick<Admin, 'id' | 'email' | 'second_factor_required'>;
}

/** The live session a cookie's token names, or undefined (an expired one is deleted on the way). */
export async function sessionOf(db: Db, clock: Clock, token: string): Promise<LiveSession | undefined> {
  const row = await db.kysely
    .selectFrom('admin_sessions as s')
    .innerJoin('admins as a', 'a.id', 's.admin_id')
    .selectAll('s')
    .select(['a.email', 'a.second_factor_required'])
    .where('s.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return undefined;
  const { email, second_factor_required, ...session } = row;
  const now = clock.now().getTime();
  const idleUntil = Date.parse(session.last_seen_at) + sessionLifetimes.idleMs;
  if (now >= idleUntil || now >= Date.parse(session.expires_at)) {
    await endSession(db, session.id);
    return undefined;
  }
  if (now - Date.parse(session.last_seen_at) >= touchEveryMs) {
    session.last_seen_at = new Date(now).toISOString();
    await db.kysely
      .updateTable('admin_sessions')
      .set({ last_seen_at: session.last_seen_at })
      .where('id', '=', session.id)
      .execute();
  }
  return { session, admin: { id: session.admin_id, email, second_factor_required } };
}

/**
 * Moves a session to its next stage under a new token (the old one dies): a token seen before the
 * second factor cannot ride on the login it completes.
 */
export async function advanceSession(
  db: Db,
  clock: Clock,
  session: AdminSession,
  stage: AdminSessionStage,
): Promise<StartedSession> {
  await endSession(db, session.id);
  return startSession(db, clock, session.admin_id, stage);
}

export async function setChallenge(db: Db, sessionId: number, challenge: string | null): Promise<void> {
  await db.kysely.updateTable('admin_sessions').set({ challenge }).where('id', '=', sessionId).execute();
}

export async function endSession(db: Db, sessionId: number): Promise<void> {
  await db.kysely.deleteFrom('admin_sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of an admin: after a change of password or of second factors elsewhere. */
export async function endSessionsOf(db: Db, adminId: number, except?: number): Promise<void> {
  let query = db.kysely.deleteFrom('admin_sessions').where('admin_id', '=', adminId);
  if (except !== undefined) query = query.where('id', '!=', except);
  await query.execute();
}

/** Deletes sessions past their end; run now and then so that abandoned ones do not pile up. */
export async function deleteExpiredSessions(db: Db, clock: Clock): Promise<void> {
  const now = clock.now().getTime();
  await db.kysely
    .deleteFrom('admin_sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', new Date(now).toISOString()),
        eb('last_seen_at', '<=', new Date(now - sessionLifetimes.idleMs).toISOString()),
      ]),
    )
    .execute();
}
