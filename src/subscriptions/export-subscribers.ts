// Exporting the subscriber list as CSV, page by page in id order, so that any size streams out in flat
// memory and at the pace the output can take.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Db } from '../db/open-database.js';

export interface ExportOptions {
  db: Db;
  output: Writable;
  /** End the output when done (the default); pass false for process.stdout. */
  end?: boolean;
  /** Called after each page with the rows written so far. */
  onProgress?: (rows: number) => void;
}

const exportColumns = ['email', 'status', 'source', 'created_at', 'confirmed_at', 'unsubscribed_at'] as const;
const pageSize = 1000;

/** Writes every subscriber, one per row under a header; returns how many rows it wrote. */
export async function exportSubscribers(o: ExportOptions): Promise<number> {
  let count = 0;
  async function* rows() {
    let after = 0;
    for (;;) {
      const page = await o.db.kysely
        .selectFrom('subscribers')
        .select(['id', ...exportColumns])
        .where('id', '>', after)
        .orderBy('id')
        .limit(pageSize)
        .execute();
      for (const row of page) yield row;
      count += page.length;
      o.onProgress?.(count);
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      after = last.id;
    }
  }
  await pipeline(Readable.from(rows()), stringify({ header: true, columns: [...exportColumns] }), o.output, {
    end: o.end ?? true,
  });
  return count;
}
