// Readers' IP addresses and user agents are kept as proof of consent for site.yml's retention period
// (12 months by default) and dropped after it, by the background worker, everywhere they are stored;
// the consent ledger still verifies afterwards, with `audit verify` as an operator runs it.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { eventHash, genesisHash, sha256 } from '../src/ledger/event-hash.js';
import { verifyLedger } from '../src/ledger/ledger.js';
import { ledgerKeysFrom } from '../src/ledger/ledger-keys.js';
import { ProofRetention } from '../src/subscriptions/proof-retention.js';
import { engines } from './support/databases.js';
import { runCli } from './support/run-cli.js';
import { form, type SubscriptionApp, startSubscriptionApp, testSecret } from './support/subscription-app.js';

const ip = '192.0.2.44';
const userAgent = 'RetentionProbe/7.1 (X11; Linux)';
const day = 24 * 3600_000;

describe.each(engines)('proof retention on %s', (engine) => {
  let t: SubscriptionApp;
  afterEach(async () => t?.close());

  async function tablesMentioning(needle: string): Promise<string[]> {
    const query =
      engine === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'table'`
        : sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = current_schema()`;
    const found: string[] = [];
    for (const { name } of (await query.execute(t.db)).rows) {
      const rows = (await sql`select * from ${sql.table(name)}`.execute(t.db)).rows;
      if (JSON.stringify(rows).toLowerCase().includes(needle.toLowerCase())) found.push(name);
    }
    return found.sort();
  }

  /** A reader who subscribes and confirms from `ip` with `userAgent`, and a request left undecided. */
  async function consentRecorded(address = 'kept@example.com'): Promise<void> {
    const post = (url: string, payload: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { ...form, 'user-agent': userAgent },
        remoteAddress: ip,
        payload,
      });
    const status = await post('/subscribe', `email=${encodeURIComponent(address)}&form=hero`);
    expect(status.statusCode).toBe(303);
    await t.deliver();
    const mailTo = () => t.smtp.messages.find((m) => JSON.stringify(m.to ?? '').includes(address));
    await expect.poll(mailTo, { timeout: 15_000 }).toBeDefined();
    const link = /https?:\/\/\S+?\/confirm\/[A-Za-z0-9_-]+/.exec(mailTo()?.text ?? '')?.[0];
    expect((await post(t.path(link as string), '')).statusCode).toBeLessThan(400);
    await t.services.subscriptions.record({
      email: `later-${address}`,
      form: 'hero',
      wording: 'w',
      ip,
      userAgent,
    });
  }

  const auditVerify = () =>
    runCli(
      ['audit', 'verify'],
      { DATABASE_URL: t.database.url, SECRET: testSecret, DATA_DIR: t.dataDir },
      120_000,
    );

  it('keeps the IP and user agent for 12 months, then drops them everywhere while the ledger verifies', async () => {
    t = await startSubscriptionApp(engine);
    const start = t.clock.now().getTime();
    await consentRecorded();
    const everywhere = ['confirmations', 'ledger_events', 'subscribe_requests'];
    expect(await tablesMentioning(ip)).toEqual(everywhere);
    expect(await tablesMentioning(userAgent)).toEqual(everywhere);

    t.clock.set(new Date(start + 364 * day));
    expect(await t.services.retention.runDue()).toEqual({ ledgerProofs: 0, confirmations: 0, requests: 0 });
    expect(await tablesMentioning(ip)).toEqual(everywhere);

    t.clock.set(new Date(start + 366 * day));
    expect(await t.services.retention.runDue()).toEqual({ ledgerProofs: 2, confirmations: 1, requests: 1 });
    expect(await tablesMentioning(ip)).toEqual([]);
    expect(await tablesMentioning(userAgent)).toEqual([]);
    // What the proof still says: when, on which form, with which words, and how the person confirmed.
    const proofs = await t.db.selectFrom('ledger_events').select(['kind', 'proof']).orderBy('seq').execute();
    const requested = JSON.parse(proofs.find((p) => p.kind === 'subscribe_requested')?.proof ?? '{}');
    expect(requested).toEqual({
      at: expect.any(String),
      ip: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      userAgent: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      form: 'hero',
      wordingHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    expect(await verifyLedger(t.db)).toMatchObject({ ok: true, events: 3 });
    const audit = await auditVerify();
    expect(audit.stdout).toMatch(/^ok: 3 events, chain head [0-9a-f]{64}\n$/);
    expect(audit.code).toBe(0);
    // A second run finds nothing left to drop.
    expect(await t.services.retention.runDue()).toEqual({ ledgerProofs: 0, confirmations: 0, requests: 0 });
  }, 240_000);

  it('still notices a proof altered before or after its IP and user agent were dropped', async () => {
    t = await startSubscriptionApp(engine);
    await consentRecorded();
    const forge = (from: string, to: string) =>
      t.db
        .updateTable('ledger_events')
        .set({ proof: sql<string>`replace(proof, ${from}, ${to})` })
        .where('kind', '=', 'subscribe_requested')
        .execute();
    await forge(ip, '198.51.100.1');
    expect(await verifyLedger(t.db)).toMatchObject({
      ok: false,
      seq: 1,
      reason: 'has a proof that was altered',
    });
    await forge('198.51.100.1', ip);
    t.clock.advance(400 * day);
    await t.services.retention.runDue();
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
    await forge('"form":"hero"', '"form":"newsletter"');
    expect(await verifyLedger(t.db)).toMatchObject({
      ok: false,
      seq: 1,
      reason: 'has a proof that was altered',
    });
  });

  it('blanks proofs written before proofs were sealed, saying so in the ledger, which still verifies', async () => {
    t = await startSubscriptionApp(engine);
    // An event as the ledger wrote it until 2026-11-26: the raw proof with a salt, hashed whole.
    const at = t.clock.now().toISOString();
    const proof = JSON.stringify({ at, ip, userAgent, form: 'hero', salt: 'ab'.repeat(16) });
    const row = {
      seq: 1,
      at,
      kind: 'subscribe_requested',
      email_hmac: 'legacy-person',
      detail: '{}',
      proof_hash: sha256(proof),
      chain: 2,
    };
    const hash = eventHash(genesisHash, row, ledgerKeysFrom(testSecret).chainKey);
    await t.db
      .insertInto('ledger_events')
      .values({ ...row, proof, prev_hash: genesisHash, hash })
      .execute();
    await consentRecorded();
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true, events: 4 });

    t.clock.advance(366 * day);
    expect(await t.services.retention.runDue()).toEqual({ ledgerProofs: 3, confirmations: 1, requests: 1 });
    expect(await tablesMentioning(ip)).toEqual([]);
    const expired = await t.db
      .selectFrom('ledger_events')
      .selectAll()
      .where('kind', '=', 'proofs_expired')
      .execute();
    expect(expired).toMatchObject([{ seq: 5, email_hmac: 'legacy-person', proof: null }]);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true, events: 5 });
    expect((await auditVerify()).code).toBe(0);
  }, 240_000);

  it('drops them in the background once the workers run, and again on every turn', async () => {
    t = await startSubscriptionApp(engine);
    await consentRecorded();
    // Decided now: a request the workers decided only after the clock moved would be a fresh one.
    await t.decideRequests();
    t.clock.advance(366 * day);
    await t.services.startWorkers();
    await expect.poll(() => tablesMentioning(ip), { timeout: 15_000 }).toEqual([]);

    // A shorter period from site.yml, read at each turn: the next turn drops what it now covers.
    const retention = new ProofRetention({
      db: t.database.db,
      clock: t.clock,
      log: (await import('pino')).pino({ level: 'silent' }),
      months: () => 1,
      everyMs: 50,
    });
    await consentRecorded('second@example.com');
    await t.decideRequests();
    retention.start();
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await tablesMentioning(ip)).not.toEqual([]);
      t.clock.advance(32 * day);
      await expect.poll(() => tablesMentioning(ip), { timeout: 15_000 }).toEqual([]);
    } finally {
      await retention.stop();
    }
  });
});
