// The admin's subscriber queries and the counts behind the dashboard, on each engine: pages by keyset,
// prefix search whatever the case, counts that follow every insert, status change and erasure.
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDashboard } from '../src/admin/dashboard-queries.js';
import { findSubscribers, pageSize, prefixEnd, subscriberDetail } from '../src/admin/subscriber-queries.js';
import { eventsFor } from '../src/ledger/ledger.js';
import { suppressByAdmin, unsuppress } from '../src/subscriptions/admin-status.js';
import type { SubscriptionContext } from '../src/subscriptions/context.js';
import { importSubscribers } from '../src/subscriptions/import-subscribers.js';
import { erase } from '../src/subscriptions/personal-data.js';
import { dailyStatusCounts, foldCounts, statusCounts } from '../src/subscriptions/status-counts.js';
import { Keys } from '../src/subscriptions/tokens.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { FakeClock } from './support/fake-clock.js';

describe('prefixEnd', () => {
  it.each([
    ['ab', 'ac'],
    ['a@', 'aA'],
    ['z', '{'],
    ['', '\u{10FFFF}'],
    ['a\u{10FFFF}', 'b'],
  ])('bounds the addresses starting with %j by %j', (prefix, end) => {
    expect(prefixEnd(prefix)).toBe(end);
  });
});

describe.each(engines)('admin subscriber queries on %s', (engine) => {
  let t: TestDatabase;
  let c: SubscriptionContext;
  const clock = new FakeClock('2026-11-20T10:00:00Z');

  beforeEach(async () => {
    t = await createTestDatabase(engine);
    c = {
      db: t.db,
      keys: new Keys('a test secret of enough length for the keys'),
      clock,
      mailContext: () => {
        throw new Error('no mail in these tests');
      },
    };
  });
  afterEach(async () => t?.drop());

  async function importCsv(lines: string[], status: 'pending' | 'active' = 'active') {
    return importSubscribers({
      db: t.db,
      keys: c.keys,
      clock,
      input: Readable.from([`email\n${lines.join('\n')}\n`]),
      source: 'list.csv',
      status,
    });
  }

  it('pages newest first by id and filters by status', async () => {
    await importCsv(Array.from({ length: 120 }, (_, i) => `reader${i}@example.com`));
    const first = await findSubscribers(t.db, {});
    expect(first.rows).toHaveLength(pageSize);
    expect(first.rows[0]?.email).toBe('reader119@example.com');
    const second = await findSubscribers(t.db, { after: first.next });
    const third = await findSubscribers(t.db, { after: second.next });
    expect(third.rows).toHaveLength(20);
    expect(third.next).toBeUndefined();
    const all = [...first.rows, ...second.rows, ...third.rows].map((r) => r.id);
    expect(new Set(all).size).toBe(120);

    const some = first.rows.slice(0, 3);
    for (const row of some) await suppressByAdmin(c, row.id, 'admin@example.com');
    const suppressed = await findSubscribers(t.db, { status: 'suppressed' });
    expect(suppressed.rows.map((r) => r.id)).toEqual(some.map((r) => r.id));
  });

  it('finds addresses by prefix whatever their case, a page at a time in address order', async () => {
    await importCsv([
      ...Array.from({ length: 60 }, (_, i) => `Ann.${String(i).padStart(2, '0')}@example.com`),
      'anna@example.org',
      'bob@example.com',
      'an@example.net',
    ]);
    const first = await findSubscribers(t.db, { search: 'ANN' });
    expect(first.rows).toHaveLength(pageSize);
    expect(first.rows[0]?.email).toBe('Ann.00@example.com');
    const second = await findSubscribers(t.db, { search: 'ann', after: first.next });
    expect(second.rows.map((r) => r.email)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `Ann.${50 + i}@example.com`),
      'anna@example.org',
    ]);
    expect(second.next).toBeUndefined();
    expect((await findSubscribers(t.db, { search: 'bob@example.com' })).rows).toHaveLength(1);
    expect((await findSubscribers(t.db, { search: 'nobody' })).rows).toHaveLength(0);
    expect((await findSubscribers(t.db, { search: 'an', status: 'pending' })).rows).toHaveLength(0);
  });

  it('keeps counts by status and by day through imports, status changes and erasure', async () => {
    await importCsv(['a@example.com', 'b@example.com', 'c@example.com']);
    clock.set('2026-11-21T09:00:00Z');
    await importCsv(['d@example.com'], 'pending');
    const [a] = (await findSubscribers(t.db, { search: 'a@' })).rows;
    const [b] = (await findSubscribers(t.db, { search: 'b@' })).rows;
    expect(await suppressByAdmin(c, a?.id as number, 'admin@example.com')).toBe('changed');
    expect(await suppressByAdmin(c, a?.id as number, 'admin@example.com')).toBe('unchanged');
    expect(await statusCounts(t.db)).toEqual({ active: 2, pending: 1, unsubscribed: 0, suppressed: 1 });

    expect(await unsuppress(c, a?.id as number, 'admin@example.com')).toBe('changed');
    expect(await unsuppress(c, 999_999, 'admin@example.com')).toBe('unknown');
    const detail = await subscriberDetail(t.db, a?.id as number);
    expect(detail?.subscriber.status).toBe('active');
    expect(detail?.events.map((e) => e.kind)).toEqual(['imported', 'suppressed', 'unsuppressed']);
    expect(detail?.events[1]?.detail).toMatchObject({ source: 'admin', admin: 'admin@example.com' });

    const subscriber = await t.db.kysely
      .selectFrom('subscribers')
      .selectAll()
      .where('id', '=', b?.id as number)
      .executeTakeFirstOrThrow();
    expect(await erase(c, subscriber, undefined, 'admin')).toBe(true);
    expect((await eventsFor(t.db.kysely, subscriber.email_hmac)).at(-1)?.detail).toBe(
      '{"requestedBy":"admin"}',
    );
    expect(await statusCounts(t.db)).toEqual({ active: 2, pending: 1, unsubscribed: 0, suppressed: 0 });

    await foldCounts(t.db);
    expect(await statusCounts(t.db)).toEqual({ active: 2, pending: 1, unsubscribed: 0, suppressed: 0 });
    const days = await dailyStatusCounts(t.db, '2026-11-19', '2026-11-21');
    expect(days.map((d) => d.day)).toEqual(['2026-11-19', '2026-11-20', '2026-11-21']);
    expect(days[0]?.counts.active).toBe(0);
    expect(days[1]?.counts.active).toBe(3);
    expect(days[2]?.counts.pending).toBe(1);
  });

  it('shows no issues and no rates before any issue went out', async () => {
    await importCsv(['a@example.com']);
    const dashboard = await readDashboard(t.db, clock.now());
    expect(dashboard.counts.active).toBe(1);
    expect(dashboard.growth).toHaveLength(90);
    expect(dashboard.growth.at(-1)?.counts.active).toBe(1);
    expect(dashboard.issues).toEqual([]);
    expect(dashboard.bounceRate).toBeUndefined();
  });
});
