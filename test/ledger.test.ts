import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { appendEvent, appendEvents, eraseProofs, eventsFor, verifyLedger } from '../src/ledger/ledger.js';
import { ledgerKeysFrom } from '../src/ledger/ledger-keys.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';

const keys = ledgerKeysFrom('a-secret-for-the-ledger-tests-0123456789');
const proof = { at: '2026-11-25T10:00:00.000Z', ip: '192.0.2.7', userAgent: 'Firefox', form: 'home-hero' };

describe.each(engines)('the consent ledger on %s', (engine) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(engine);
  });
  afterEach(async () => t.drop());

  async function append(kind: 'subscribe_requested' | 'confirmed', who: string, keyed = true) {
    await t.db.kysely
      .transaction()
      .execute((trx) =>
        appendEvent(
          trx,
          engine,
          { at: proof.at, kind, emailHmac: who, proof, detail: { n: 1 } },
          keyed ? keys : undefined,
        ),
      );
  }
  const verify = (pageSize?: number) => verifyLedger(t.db.kysely, pageSize, { keys });

  it('migrates once, and a second run applies nothing', async () => {
    expect((await migrate(t.db)).applied).toEqual([]);
  });

  it('verifies an intact chain and counts its events', async () => {
    expect(await verify()).toMatchObject({ ok: true, events: 0 });
    for (let i = 0; i < 5; i++) await append(i % 2 ? 'confirmed' : 'subscribe_requested', `who-${i % 2}`);
    expect(await verify(2)).toMatchObject({ ok: true, events: 5 });
  });

  it('names the first event whose contents were altered', async () => {
    for (let i = 0; i < 4; i++) await append('subscribe_requested', 'a');
    await t.db.kysely.updateTable('ledger_events').set({ kind: 'confirmed' }).where('seq', '=', 3).execute();
    expect(await verify()).toMatchObject({ ok: false, seq: 3 });
  });

  it('notices a deleted event and an altered proof', async () => {
    for (let i = 0; i < 4; i++) await append('subscribe_requested', 'a');
    await t.db.kysely
      .updateTable('ledger_events')
      .set({ proof: sql<string>`replace(proof, '192.0.2.7', '192.0.2.8')` })
      .where('seq', '=', 4)
      .execute();
    expect(await verify()).toMatchObject({
      ok: false,
      seq: 4,
      reason: expect.stringMatching(/proof/),
    });
    await t.db.kysely.deleteFrom('ledger_events').where('seq', '=', 2).execute();
    expect(await verify()).toMatchObject({ ok: false, seq: 2, reason: 'is missing' });
  });

  it('erases a person’s proof and still verifies', async () => {
    await append('subscribe_requested', 'a');
    await append('subscribe_requested', 'b');
    await append('confirmed', 'a');
    await t.db.kysely.transaction().execute(async (trx) => {
      await eraseProofs(trx, 'a');
      await appendEvent(trx, engine, { at: proof.at, kind: 'erased', emailHmac: 'a' }, keys);
    });
    const events = await eventsFor(t.db.kysely, 'a');
    expect(events.map((e) => e.proof)).toEqual([null, null, null]);
    expect(events.slice(0, 2).every((e) => e.proof_hash !== null)).toBe(true);
    expect((await eventsFor(t.db.kysely, 'b'))[0]?.proof).toContain('192.0.2.7');
    expect(await verify()).toMatchObject({ ok: true, events: 4 });
  });

  it('appends a batch larger than one insert as one unbroken chain', async () => {
    await append('subscribe_requested', 'before');
    const events = Array.from({ length: 2500 }, (_, i) => ({
      at: proof.at,
      kind: 'imported' as const,
      emailHmac: `imported-${i}`,
      detail: { source: 'list.csv' },
    }));
    const last = await t.db.kysely.transaction().execute((trx) => appendEvents(trx, engine, events, keys));
    expect(last).toBe(2501);
    await append('confirmed', 'after');
    expect(await verify(1000)).toMatchObject({ ok: true, events: 2502 });
  });

  it('keeps the chain linear when many events are appended at once', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => append('subscribe_requested', `p${i}`)));
    expect(await verify()).toMatchObject({ ok: true, events: 20 });
  });

  it('keeps verifying events written before the chain was keyed, and keys every later one', async () => {
    await append('subscribe_requested', 'old', false);
    await append('confirmed', 'old', false);
    await append('subscribe_requested', 'new');
    const chains = await t.db.kysely.selectFrom('ledger_events').select('chain').orderBy('seq').execute();
    expect(chains.map((c) => c.chain)).toEqual([1, 1, 2]);
    expect(await verify()).toMatchObject({ ok: true, events: 3 });
    // Without SECRET the keyed part cannot be checked, and verify says so rather than passing.
    expect(await verifyLedger(t.db.kysely, 100, { keys: undefined })).toMatchObject({
      ok: false,
      seq: 3,
      reason: 'is keyed, and verifying it needs SECRET',
    });
  });

  it('refuses to append an unkeyed event to a keyed chain', async () => {
    await append('subscribe_requested', 'a');
    await expect(append('confirmed', 'a', false)).rejects.toThrow('the ledger is keyed');
    expect(await verify()).toMatchObject({ ok: true, events: 1 });
  });

  it('does not verify a chain keyed with another SECRET', async () => {
    await append('subscribe_requested', 'a');
    const other = ledgerKeysFrom('another-secret-for-the-ledger-tests-0123');
    expect(await verifyLedger(t.db.kysely, 100, { keys: other })).toMatchObject({ ok: false, seq: 1 });
  });
});
