// Importing a subscriber list exported from Substack, Ghost, Mailchimp or listmonk. The CSV is streamed
// and written in batches, so a million rows take no more memory than a few hundred; each imported
// address gets its own 'imported' event in the ledger, in the transaction that inserts it.
import { basename } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { type CsvError, type Parser, parse } from 'csv-parse';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import { appendEvents } from '../ledger/ledger.js';
import { UserError } from '../user-error.js';
import { normaliseEmail } from './email-address.js';
import { type Keys, newSubscriberKey } from './tokens.js';

export type ImportStatus = 'pending' | 'active';

export interface ImportOptions {
  db: Db;
  keys: Keys;
  clock: Clock;
  input: Readable;
  /** The file the rows come from: named in errors, and its base name becomes the subscribers' source. */
  source: string;
  status: ImportStatus;
  /** The header of the column holding the addresses, when it is not one we recognise. */
  emailColumn?: string;
  /** Called after each batch with the data rows read so far and the bytes of input they came from. */
  onProgress?: (rows: number, bytes: number) => void;
}

export interface BadRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  problem: string;
}

export interface ImportReport {
  imported: number;
  /** Valid addresses already subscribed, or given earlier in the same file: left as they are. */
  duplicates: number;
  /** The first {@link maxBadRows} rows that were not imported, in file order. */
  bad: BadRow[];
  badCount: number;
}

const maxBadRows = 1000;
const batchSize = 2000;
/** Longer than any real row; stops an unclosed quote from reading the rest of a large file into memory. */
const maxRecordBytes = 1 << 20;

/** Header names, lowercased, that hold the address in the exports we know, most specific first. */
export const emailHeaders = ['email', 'email address', 'email_address', 'e-mail', 'e-mail address', 'mail'];

/** Columns by which an export says a person has left; such rows are reported, never imported. */
export const optOutColumns: { header: string; optedOut: (value: string) => boolean }[] = [
  { header: 'subscribed_to_emails', optedOut: (v) => /^(false|no|0)$/i.test(v) }, // Ghost
  { header: 'email_disabled', optedOut: (v) => /^(true|yes|1)$/i.test(v) }, // Substack
  { header: 'unsub_time', optedOut: (v) => v !== '' }, // Mailchimp's unsubscribed export
  { header: 'clean_time', optedOut: (v) => v !== '' }, // Mailchimp's cleaned export
  { header: 'status', optedOut: (v) => /^(unsubscribed|blocklisted|blacklisted|cleaned|bounced)$/i.test(v) }, // listmonk
];

interface Pending {
  email: string;
  emailHmac: string;
}

type ParsedRecord = { record: string[]; info: { lines: number; bytes: number } };

export async function importSubscribers(o: ImportOptions): Promise<ImportReport> {
  const file = basename(o.source);
  const report: ImportReport = { imported: 0, duplicates: 0, bad: [], badCount: 0 };
  const addBad = (line: number, problem: string) => {
    report.badCount += 1;
    if (report.bad.length < maxBadRows) report.bad.push({ line, problem });
  };

  // A parser that failed would drop the records it had parsed but not yet handed over, so it skips
  // instead; what it skipped is reported in its place among the rows.
  const skipped: { afterRecords: number; error: CsvError }[] = [];
  const parser: Parser = parse({
    info: true,
    bom: true,
    // Exports put stray quotes and ragged rows in the middle of otherwise good files: read on, and let
    // the address check judge each row.
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: maxRecordBytes,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) skipped.push({ afterRecords: parser.info.records, error });
    },
  });
  // Errors of the input reach the parser, and so the loop below; leaving the loop early ends both.
  pipeline(o.input, parser, () => {});

  let emailIndex = -1;
  let optOuts: { index: number; header: string; optedOut: (v: string) => boolean }[] = [];
  let batch: Pending[] = [];
  let rows = 0;
  let bytes = 0;
  // csv-parse counts a CRLF inside a quoted field as two lines; this undoes that, so lines stay exact.
  let extraLines = 0;
  let lastLine = 0;

  const flush = async () => {
    if (batch.length > 0) {
      const values = batch;
      batch = [];
      const inserted = await insertBatch(o, file, values);
      report.imported += inserted;
      report.duplicates += values.length - inserted;
    }
    o.onProgress?.(rows, bytes);
  };

  let records = 0;
  const reportSkipped = (upTo: number) => {
    while (skipped[0] && skipped[0].afterRecords <= upTo) {
      const { error } = skipped.shift() as (typeof skipped)[number];
      if (emailIndex < 0) throw new UserError(`cannot read the header row: ${error.message}`, o.source);
      addBad(lastLine + 1, skipProblem(error));
    }
  };

  for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
    reportSkipped(records);
    records += 1;
    let breaks = 0;
    for (const field of record) if (field.includes('\n')) breaks += field.split('\n').length - 1;
    for (const field of record) if (field.includes('\r\n')) extraLines += field.split('\r\n').length - 1;
    const endLine = info.lines - extraLines;
    const line = endLine - breaks;
    lastLine = endLine;
    bytes = info.bytes;

    if (emailIndex < 0) {
      const headers = record.map((h) => h.trim().toLowerCase());
      emailIndex = findEmailColumn(headers, record, o);
      optOuts = optOutColumns.flatMap((c) => {
        const index = headers.indexOf(c.header);
        return index >= 0 && index !== emailIndex ? [{ index, ...c }] : [];
      });
      continue;
    }

    rows += 1;
    const value = record[emailIndex];
    if (value === undefined) {
      addBad(line, `has ${record.length} field(s) and no email column (column ${emailIndex + 1})`);
      continue;
    }
    if (value.trim() === '') {
      addBad(line, 'has an empty email column');
      continue;
    }
    const checked = normaliseEmail(value);
    if (!checked.ok) {
      addBad(line, `${JSON.stringify(shorten(value))}: ${checked.problem}`);
      continue;
    }
    const optOut = optOuts.find((c) => c.optedOut((record[c.index] ?? '').trim()));
    if (optOut) {
      addBad(
        line,
        `${checked.email} has left the list there (${optOut.header}=${(record[optOut.index] ?? '').trim()}); not imported`,
      );
      continue;
    }
    batch.push({ email: checked.email, emailHmac: o.keys.emailHmac(checked.email) });
    if (batch.length >= batchSize) await flush();
  }
  reportSkipped(Number.POSITIVE_INFINITY);
  if (emailIndex < 0) throw new UserError('is empty: expected a header row naming an email column', o.source);
  await flush();
  return report;
}

function findEmailColumn(headers: string[], original: string[], o: ImportOptions): number {
  const wanted = o.emailColumn?.trim().toLowerCase();
  const index = wanted
    ? headers.indexOf(wanted)
    : (emailHeaders.map((h) => headers.indexOf(h)).find((i) => i >= 0) ?? -1);
  if (index >= 0) return index;
  const found = original.map((h) => JSON.stringify(h)).join(', ');
  const hint = separatorHint(original);
  throw new UserError(
    wanted
      ? `has no column ${JSON.stringify(o.emailColumn)}: its header has ${found}${hint}`
      : `has no email column: its header has ${found}, none of ${emailHeaders.join(', ')}; name the column with --email-column${hint}`,
    o.source,
  );
}

/** When the header is one column holding semicolons or tabs, the file was saved with another separator. */
export function separatorHint(header: string[]): string {
  return header.length === 1 && /[;\t]/.test(header[0] ?? '')
    ? '; only commas separate columns here, so save the file as comma-separated CSV'
    : '';
}

/** Inserts one batch and its ledger events in one transaction; returns how many rows were new. */
async function insertBatch(o: ImportOptions, file: string, values: Pending[]): Promise<number> {
  const at = o.clock.now().toISOString();
  return o.db.kysely.transaction().execute(async (trx) => {
    // An address already here keeps its row, its status and its history: an import never
    // resubscribes someone who left, nor confirms someone who has not.
    const inserted = await trx
      .insertInto('subscribers')
      .values(
        values.map((v) => ({
          key: newSubscriberKey(),
          email: v.email,
          email_hmac: v.emailHmac,
          status: o.status,
          source: `import:${file}`,
          created_at: at,
          updated_at: at,
          confirmed_at: o.status === 'active' ? at : null,
        })),
      )
      .onConflict((oc) => oc.column('email_hmac').doNothing())
      .returning(['id', 'email_hmac'])
      .execute();
    await appendEvents(
      trx,
      o.db.engine,
      inserted.map((row) => ({
        at,
        kind: 'imported' as const,
        emailHmac: row.email_hmac,
        detail: { source: file, status: o.status },
      })),
    );
    return inserted.length;
  });
}

function skipProblem(error: CsvError): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED')
    return 'a quoted field starting here is never closed; this row and the rest of the file were not read';
  if (error.code === 'CSV_MAX_RECORD_SIZE')
    return `a row starting here runs past ${maxRecordBytes >> 20} MiB (a quote never closed?); it was not read, nor anything after it`;
  return `cannot be read as CSV (${error.message})`;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
