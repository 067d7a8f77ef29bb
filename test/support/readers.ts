// Confirmed readers written straight into the table, as a fixture: reader<n>@example.com, confirmed an
// hour before `now`. The subscription flow itself is tested elsewhere.
import type { Db } from '../../src/db/open-database.js';

export async function addActiveReaders(db: Db, count: number, now: Date): Promise<void> {
  const at = new Date(now.getTime() - 3600_000).toISOString();
  await db.kysely
    .insertInto('subscribers')
    .values(
      Array.from({ length: count }, (_, i) => ({
        key: `k${String(i).padStart(21, '0')}`,
        email: `reader${i}@example.com`,
        email_hmac: `h${i}`,
        status: 'active' as const,
        source: 'test',
        created_at: at,
        updated_at: at,
        confirmed_at: at,
      })),
    )
    .execute();
}
