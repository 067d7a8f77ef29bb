import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from './open-database.js';

describe('a SQLite database', () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-open-'));
    db = openDatabase(`sqlite:${join(dir, 'nested', 'errorbudget.db')}`);
  });
  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const pragma = async (name: string) => (await sql.raw(`PRAGMA ${name}`).execute(db.kysely)).rows[0];

  it('opens in WAL mode with a busy timeout and foreign keys enforced', async () => {
    expect(await pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await pragma('busy_timeout')).toEqual({ timeout: 5000 });
    expect(await pragma('foreign_keys')).toEqual({ foreign_keys: 1 });
  });

  it('runs the same statement again, also after a stream of it was left unfinished', async () => {
    await sql`create table t (n integer)`.execute(db.kysely);
    for (let n = 0; n < 5; n++) await sql`insert into t (n) values (${n})`.execute(db.kysely);
    const query = db.kysely.selectFrom(sql`t`.as('t')).select(sql<number>`n`.as('n'));
    for await (const row of query.stream()) if (row.n === 1) break;
    expect((await query.execute()).map((row) => row.n)).toEqual([0, 1, 2, 3, 4]);
    expect((await query.execute()).length).toBe(5);
  });
});
