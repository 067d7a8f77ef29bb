import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { appendEvent, appendEvents, eraseProofs, eventsFor, verifyLedger } from '../src/ledger/ledger.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';

const proof = { at: '2026-11-25T10:00:00.000Z', ip: '192.0.2.7', userAgent: 'Firefox', form: 'home-hero' };

describe.each(engines)('the consent ledger on %s', (engine) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(engine);
  });
  afterEach(async () => t.drop());

  async function append(kind: 'subscribe_requested' | 'confirmed', who: string) {
    await t.db.kysely
      .transaction()
      .execute((trx) =>
        appendEvent(trx, engine, { at: proof.at, kind, emailHmac: who, proof, detail: { n: 1 } }),
      );
  }

  it('migrates once, and a second run applies nothing', async () => {
    expect((await migrate(t.db)).applied).toEqual([]);
  });

  it('verifies an intact chain and counts its events', async () => {
    expect(await verifyLedger(t.db.kysely)).toMatchObject({ ok: true, events: 0 });
    for (let i = 0; i < 5; i++) await append(i % 2 ? 'confirmed' : 'subscribe_requested', `who-${i % 2}`);
    expect(await verifyLedger(t.db.kysely, 2)).toMatchObject({ ok: true, events: 5 });
  });

  it('names the first event whose contents were altered', async () => {
    for (let i = 0; i < 4; i++) await append('subscribe_requested', 'a');
    await t.db.kysely.updateTable('ledger_events').set({ kind: 'confirmed' }).where('seq', '=', 3).execute();
    expect(await verifyLedger(t.db.kysely)).toMatchObject({ ok: false, seq: 3 });
  });

  it('notices a deleted event and an altered proof', async () => {
    for (let i = 0; i < 4; i++) await append('subscribe_requested', 'a');
    await t.db.kysely
      .updateTable('ledger_events')
      .set({ proof: sql<string>`replace(proof, '192.0.2.7', '192.0.2.8')` })
      .where('seq', '=', 4)
      .execute();
    expect(await verifyLedger(t.db.kysely)).toMatchObject({
      ok: false,
      seq: 4,
      reason: expect.stringMatching(/proof/),
    });
    await t.db.kysely.deleteFrom('ledger_events').where('seq', '=', 2).execute();
    expect(await verifyLedger(t.db.kysely)).toMatchObject({ ok: false, seq: 2, reason: 'is missing' });
  });

  it('erases a person’s proof and still verifies', async () => {
    await append('subscribe_requested', 'a');
    await append('subscribe_requested', 'b');
    await append('confirmed', 'a');
    await t.db.kysely.transaction().execute((trx) => eraseProofs(trx, 'a'));
    const events = await eventsFor(t.db.kysely, 'a');
    expect(events.map((e) => e.proof)).toEqual([null, null]);
    expect(events.every((e) => e.proof_hash !== null)).toBe(true);
    expect((await eventsFor(t.db.kysely, 'b'))[0]?.proof).toContain('192.0.2.7');
    expect(await verifyLedger(t.db.kysely)).toMatchObject({ ok: true, events: 3 });
  });

  it('appends a batch larger than one insert as one unbroken chain', async () => {
    await append('subscribe_requested', 'before');
    const events = Array.from({ length: 2500 }, (_, i) => ({
      at: proof.at,
      kind: 'imported' as const,
      emailHmac: `imported-${i}`,
      detail: { source: 'list.csv' },
    }));
    const last = await t.db.kysely.transaction().execute((trx) => appendEvents(trx, engine, events));
    expect(last).toBe(2501);
    await append('confirmed', 'after');
    expect(await verifyLedger(t.db.kysely, 1000)).toMatchObject({ ok: true, events: 2502 });
  });

  it('keeps the chain linear when many events are appended at once', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => append('subscribe_requested', `p${i}`)));
    expect(await verifyLedger(t.db.kysely)).toMatchObject({ ok: true, events: 20 });
  });
});
