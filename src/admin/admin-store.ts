// The admins table: creating admins and finding them by address or id.
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { Admin } from '../db/schema.js';
import { UserError } from '../user-error.js';
import { recordAdminAction } from './admin-actions.js';
import { hashPassword, passwordProblem } from './passwords.js';

export function normaliseAdminEmail(email: string): string {
  return email.trim().toLowerCase();
}

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NewAdmin {
  email: string;
  password: string;
  /** The first login must set up a passkey or TOTP before anything else. */
  requireSecondFactor?: boolean;
}

/** What `errorbudget admin create` does, and what tests use to make their admin. */
export async function createAdmin(db: Db, clock: Clock, admin: NewAdmin): Promise<Admin> {
  const email = normaliseAdminEmail(admin.email);
  if (!emailShape.test(email)) throw new UserError(`"${admin.email}" is not an email address`, 'email');
  const problem = passwordProblem(admin.password);
  if (problem) throw new UserError(problem, 'password');
  if (await findAdminByEmail(db, email)) throw new UserError(`an admin ${email} already exists`, 'email');
  const passwordHash = await hashPassword(admin.password);
  const created = await db.kysely
    .insertInto('admins')
    .values({
      email,
      password_hash: passwordHash,
      second_factor_required: admin.requireSecondFactor ? 1 : 0,
      created_at: clock.now().toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAdminAction(
    db,
    created,
    'admin created',
    { requireSecondFactor: !!admin.requireSecondFactor },
    clock,
  );
  return created;
}

export function findAdminByEmail(db: Db, email: string): Promise<Admin | undefined> {
  return db.kysely
    .selectFrom('admins')
    .selectAll()
    .where('email', '=', normaliseAdminEmail(email))
    .executeTakeFirst();
}

export function findAdmin(db: Db, id: number): Promise<Admin | undefined> {
  return db.kysely.selectFrom('admins').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setPassword(db: Db, id: number, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(problem, 'password');
  await db.kysely
    .updateTable('admins')
    .set({ password_hash: await hashPassword(password) })
    .where('id', '=', id)
    .execute();
}
