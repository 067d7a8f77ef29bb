// What an uploaded CSV holds, before anything is imported: its columns, which of them holds the
// addresses (by the header names the import knows, else by the look of the values), which hold names
// and which say a person left, a few rows, and how many rows there are. Reads the file once, in flat
// memory, with the parser settings of the import itself.
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { UserError } from '../user-error.js';
import { emailHeaders, optOutColumns, separatorHint } from './import-subscribers.js';

export interface ImportPreview {
  headers: string[];
  /** Index of the column holding the addresses. */
  emailColumn: number;
  /** How the email column was found: by its header, or because its values look like addresses. */
  emailFoundBy: 'header' | 'values';
  nameColumns: number[];
  /** Columns by which a row says the person left that list: such rows are reported, not imported. */
  optOutColumns: number[];
  sample: string[][];
  rows: number;
}

const sampleRows = 5;
const sniffBytes = 64 * 1024;

export async function previewImport(path: string, shownName: string): Promise<ImportPreview> {
  await refuseBinary(path, shownName);
  const parser = parse({
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: 1 << 20,
    skip_records_with_error: true,
  });
  pipeline(createReadStream(path), parser, () => {});
  let headers: string[] | undefined;
  const sample: string[][] = [];
  let rows = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    if (!headers) {
      headers = record.map((h) => h.trim());
      continue;
    }
    rows += 1;
    if (sample.length < sampleRows) sample.push(record);
  }
  if (!headers) throw new UserError('is empty: expected a header row naming an email column', shownName);
  const lower = headers.map((h) => h.toLowerCase());
  const byHeader = emailHeaders.map((h) => lower.indexOf(h)).find((i) => i >= 0);
  const byValues = byHeader === undefined ? columnOfAddresses(headers.length, sample) : undefined;
  const emailColumn = byHeader ?? byValues;
  if (emailColumn === undefined) {
    const found = headers.map((h) => JSON.stringify(h)).join(', ');
    const hint = separatorHint(headers);
    throw new UserError(
      `has no email column: its header has ${found}, none of ${emailHeaders.join(', ')}, and no column holds addresses${hint}`,
      shownName,
    );
  }
  return {
    headers,
    emailColumn,
    emailFoundBy: byHeader === undefined ? 'values' : 'header',
    nameColumns: lower.flatMap((h, i) => (i !== emailColumn && /name/.test(h) ? [i] : [])),
    optOutColumns: lower.flatMap((h, i) => (optOutColumns.some((c) => c.header === h) ? [i] : [])),
    sample,
    rows,
  };
}

/** The column in which most sampled values look like an address, if any. */
function columnOfAddresses(columns: number, sample: string[][]): number | undefined {
  let best: { index: number; hits: number } | undefined;
  for (let index = 0; index < columns; index++) {
    const hits = sample.filter((row) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test((row[index] ?? '').trim())).length;
    if (hits > sample.length / 2 && (!best || hits > best.hits)) best = { index, hits };
  }
  return best?.index;
}

/** A spreadsheet or an image is refused by name, rather than read as one long garbled row. */
async function refuseBinary(path: string, shownName: string): Promise<void> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(sniffBytes), 0, sniffBytes, 0);
    const head = buffer.subarray(0, bytesRead);
    if (bytesRead === 0)
      throw new UserError('is empty: expected a header row naming an email column', shownName);
    if (head.includes(0))
      throw new UserError(
        'is not a CSV file: it holds binary data (a spreadsheet? save it as CSV, comma-separated, UTF-8)',
        shownName,
      );
    if (!isUtf8Start(head, bytesRead === sniffBytes))
      throw new UserError('is not UTF-8 text: save it as CSV in UTF-8 (Excel: "CSV UTF-8")', shownName);
  } finally {
    await file.close();
  }
}

/** Valid UTF-8, allowing a character cut off where the sniffed bytes end. */
function isUtf8Start(head: Buffer, cut: boolean): boolean {
  if (isUtf8(head)) return true;
  return cut && [1, 2, 3].some((n) => isUtf8(head.subarray(0, head.length - n)));
}
