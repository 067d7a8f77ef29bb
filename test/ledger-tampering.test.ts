// An insider with the database but not SECRET tampers with the ledger in every way the red team did;
// `errorbudget audit verify` must name each tampering in one line and exit 1.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../src/db/schema.js';
import { appendCheckpoint } from '../src/ledger/checkpoints.js';
import { appendEvent, eraseProofs } from '../src/ledger/ledger.js';
import { ledgerKeysFrom } from '../src/ledger/ledger-keys.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { runCli } from './support/run-cli.js';
import { testSecret } from './support/subscription-app.js';

const keys = ledgerKeysFrom(testSecret);
const at = '2026-11-25T10:00:00.000Z';
const proof = { at, ip: '192.0.2.7', userAgent: 'Firefox', form: 'hero' };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(engines)('audit verify against an insider on %s', (engine) => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let checkpointFile: string;

  beforeEach(async () => {
    t = await createTestDatabase(engine);
    const dataDir = await mkdtemp(join(tmpdir(), 'eb-data-'));
    env = { DATABASE_URL: t.url, DATA_DIR: dataDir, SECRET: testSecret };
    checkpointFile = join(dataDir, 'ledger-checkpoints');
    // Six events of three people, one of whom erased themselves; the head is checkpointed at 3 and 6.
    const people = ['ada', 'bob', 'cy'];
    for (const [i, who] of people.entries()) {
      await append({ kind: 'subscribe_requested', emailHmac: who, proof });
      if (i === 0) await checkpoint();
    }
    await append({ kind: 'confirmed', emailHmac: 'ada', proof });
    await t.db.kysely.transaction().execute(async (trx) => {
      await eraseProofs(trx, 'cy');
      await appendEvent(trx, engine, { at, kind: 'erased', emailHmac: 'cy' }, keys);
    });
    await append({ kind: 'confirmed', emailHmac: 'bob', proof });
    await checkpoint();
  });
  afterEach(async () => t.drop());

  type Kind = 'subscribe_requested' | 'confirmed';
  async function append(e: { kind: Kind; emailHmac: string; proof?: typeof proof }) {
    await t.db.kysely.transaction().execute((trx) => appendEvent(trx, engine, { at, ...e }, keys));
  }
  async function checkpoint() {
    const head = await t.db.kysely
      .selectFrom('ledger_events')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    appendCheckpoint(checkpointFile, keys, head, new Date(at));
  }
  const rows = () => t.db.kysely.selectFrom('ledger_events').selectAll().orderBy('seq').execute();
  /** What an insider can do without SECRET: recompute the chain with the unkeyed algorithm. */
  async function rechainFrom(seq: number, chain: 1 | 2) {
    let prev = (await rows()).find((r) => r.seq === seq - 1)?.hash ?? '0'.repeat(64);
    for (const r of (await rows()).filter((r) => r.seq >= seq)) {
      const hash = sha256(prev + JSON.stringify([r.seq, r.at, r.kind, r.email_hmac, r.detail, r.proof_hash]));
      await t.db.kysely
        .updateTable('ledger_events')
        .set({ prev_hash: prev, hash, chain })
        .where('seq', '=', r.seq)
        .execute();
      prev = hash;
    }
  }
  async function verifyFails(line: string | RegExp, args: string[] = []) {
    const result = await runCli(['audit', 'verify', ...args], env);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(line);
    expect(result.code).toBe(1);
  }

  it('passes the intact ledger, holding it to every checkpoint of the data folder', async () => {
    const result = await runCli(['audit', 'verify'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^ok: 6 events, chain head [0-9a-f]{64}\n$/);
  });

  it('names the checkpoint when the tail is deleted', async () => {
    await t.db.kysely.deleteFrom('ledger_events').where('seq', '>', 5).execute();
    await verifyFails(
      `errorbudget: consent ledger: checkpoint ${checkpointFile}:2 was signed at ${at} when the ledger had 6 events; it now has 5: events were removed\n`,
    );
  });

  it('names the checkpoint when every event is deleted', async () => {
    await t.db.kysely.deleteFrom('ledger_events').execute();
    await verifyFails(
      `errorbudget: consent ledger: checkpoint ${checkpointFile}:1 was signed at ${at} when the ledger had 1 events; it now has 0: events were removed\n`,
    );
  });

  it('names the event that was changed even when every later hash was recomputed', async () => {
    await t.db.kysely.updateTable('ledger_events').set({ kind: 'confirmed' }).where('seq', '=', 2).execute();
    await rechainFrom(2, 2);
    await verifyFails(
      'errorbudget: consent ledger: event 2 was altered (its hash does not match its contents)\n',
    );
  });

  it('names the event where a recomputed chain passes itself off as unkeyed', async () => {
    await t.db.kysely.updateTable('ledger_events').set({ kind: 'confirmed' }).where('seq', '=', 2).execute();
    await rechainFrom(2, 1);
    await verifyFails('errorbudget: consent ledger: event 2 is unkeyed but follows keyed events');
  });

  it('names the checkpoint when the whole chain is recomputed unkeyed', async () => {
    await t.db.kysely.updateTable('ledger_events').set({ kind: 'confirmed' }).where('seq', '=', 2).execute();
    await rechainFrom(1, 1);
    await verifyFails(
      new RegExp(`^errorbudget: consent ledger: checkpoint ${checkpointFile}:1 names event 1 with a hash`),
    );
  });

  it('names a correctly chained forged event appended at the end', async () => {
    const head = (await rows()).at(-1) as LedgerEvent;
    const forged = { seq: 7, at, kind: 'confirmed', email_hmac: 'eve', detail: '{}', proof_hash: null };
    const canonical = JSON.stringify([2, ...Object.values(forged)]);
    await t.db.kysely
      .insertInto('ledger_events')
      .values({ ...forged, proof: null, chain: 2, prev_hash: head.hash, hash: sha256(head.hash + canonical) })
      .execute();
    await verifyFails(
      'errorbudget: consent ledger: event 7 was altered (its hash does not match its contents)\n',
    );
  });

  it('names an event whose proof was blanked for someone who never erased', async () => {
    await t.db.kysely.updateTable('ledger_events').set({ proof: null }).where('seq', '=', 2).execute();
    await verifyFails(
      'errorbudget: consent ledger: event 2 has a blank proof, but its person was never erased\n',
    );
  });

  it('names a checkpoint line that was not signed with this SECRET', async () => {
    const lines = (await readFile(checkpointFile, 'utf8')).split('\n');
    lines[1] = (lines[1] ?? '').replace(/"seq":6/, '"seq":5');
    await writeFile(checkpointFile, lines.join('\n'));
    await verifyFails(
      `errorbudget: checkpoint ${checkpointFile}:2: has a signature that does not match its contents\n`,
    );
  });

  it('holds the chain to checkpoints kept elsewhere with --checkpoint, and refuses a missing file', async () => {
    const elsewhere = join(await mkdtemp(join(tmpdir(), 'eb-elsewhere-')), 'checkpoints');
    await writeFile(elsewhere, await readFile(checkpointFile));
    await writeFile(checkpointFile, '');
    await t.db.kysely.deleteFrom('ledger_events').where('seq', '=', 6).execute();
    expect((await runCli(['audit', 'verify'], env)).code).toBe(0);
    await verifyFails(`checkpoint ${elsewhere}:2 was signed at`, ['--checkpoint', elsewhere]);
    await verifyFails(`errorbudget: ${elsewhere}-gone: no such file\n`, [
      '--checkpoint',
      `${elsewhere}-gone`,
    ]);
  });
});
