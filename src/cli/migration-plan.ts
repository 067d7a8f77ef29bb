// `migrate --dry-run`: what an upgrade would do to the database, read without writing anything, so an
// operator can see it before the real run (and before taking the backup the README asks for).
import { existsSync } from 'node:fs';
import type { Config } from '../config/load-config.js';
import { emptyDatabasePlan, migrationPlan, refuseNewerDatabase } from '../db/migrations.js';
import { openDatabase } from '../db/open-database.js';
import { asDatabaseUserError } from '../server/open-services.js';

export async function describeMigrationPlan(config: Pick<Config, 'databaseUrl'>): Promise<string> {
  const file = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : '';
  // Opening a SQLite file that is not there would create it: a dry run leaves no trace.
  const db = file && !existsSync(file) ? undefined : openDatabase(config.databaseUrl);
  try {
    const plan = db ? await migrationPlan(db) : emptyDatabasePlan('sqlite');
    refuseNewerDatabase(plan);
    const at = plan.applied.at(-1);
    const from = at ? `the database is at ${at}` : 'the database has no schema yet';
    if (plan.pending.length === 0) return `${from}; nothing to migrate\n`;
    const steps = plan.pending.map((name) => `  ${name}\n`).join('');
    const count = plan.pending.length === 1 ? '1 migration' : `${plan.pending.length} migrations`;
    return `${from}; errorbudget migrate would apply ${count}, each in its own transaction:\n${steps}`;
  } catch (error) {
    throw asDatabaseUserError(error);
  } finally {
    await db?.close();
  }
}
