// What a backup archive holds and says about itself: the manifest (who made it, from which engine and
// schema level, when, how many rows) and the SHA-256 of every file, also as a SHA256SUMS file that
// `sha256sum -c` checks by hand.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Engine } from '../db/open-database.js';
import type { Database } from '../db/schema.js';

export const manifestName = 'manifest.json';
export const sumsName = 'SHA256SUMS';

/** The files an archive may hold, and nothing else: a restore extracts no other name. */
export const archiveFiles = {
  sqlite: 'database.sqlite',
  postgres: 'database.pgdump',
  secret: 'secret',
  checkpoints: 'ledger-checkpoints',
  dkim: 'dkim-private-key.pem',
} as const;

export const allowedNames = new Set<string>([manifestName, sumsName, ...Object.values(archiveFiles)]);

/** Tables whose rows are counted at backup and compared after a restore. */
export const countedTables = [
  'subscribers',
  'confirmations',
  'subscribe_requests',
  'outbox',
  'ledger_events',
  'issues',
  'issue_batches',
  'issue_exceptions',
  'bounce_events',
] as const satisfies readonly (keyof Database)[];

export type Counts = Record<(typeof countedTables)[number], number>;

export const manifestSchema = z.object({
  format: z.literal(1),
  app: z.literal('errorbudget'),
  version: z.string(),
  engine: z.enum(['sqlite', 'postgres']),
  migration: z.string(),
  createdAt: z.iso.datetime(),
  counts: z.record(z.string(), z.number().int().min(0)),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int().min(0), sha256: z.string() })),
});

export type Manifest = z.infer<typeof manifestSchema>;

export interface ManifestInput {
  version: string;
  engine: Engine;
  migration: string;
  createdAt: Date;
  counts: Counts;
}

export async function countRows(db: Kysely<Database>): Promise<Counts> {
  const counts = {} as Counts;
  for (const table of countedTables) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** In the format of coreutils' sha256sum: "<hex>  <name>". */
export function formatSums(entries: { name: string; sha256: string }[]): string {
  return entries.map((e) => `${e.sha256}  ${e.name}\n`).join('');
}

export function parseSums(text: string): Map<string, string> | undefined {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (!match?.[1] || !match[2]) return undefined;
    sums.set(match[2], match[1]);
  }
  return sums;
}
