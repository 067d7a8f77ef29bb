// Signed checkpoints of the chain's head, kept where the database is not: one JSON line per checkpoint
// in a file (DATA_DIR/ledger-checkpoints by default, LEDGER_CHECKPOINT_FILE to put it on another disk
// or in a git repository). Someone who can rewrite the database cannot take back a line already
// written elsewhere, and cannot sign a new one without SECRET.
import { sign, verify } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { makePrivateDir, securePrivateFile } from '../config/private-files.js';
import { UserError } from '../user-error.js';
import type { LedgerKeys } from './ledger-keys.js';
import type { ExpectedHead } from './verify-ledger.js';

export interface Head {
  seq: number;
  hash: string;
}

const lineSchema = z.object({
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime(),
  key: z.string().min(1),
  sig: z.string().min(1),
});

/** What is signed: a fixed label, so that a checkpoint signature can never pass for anything else. */
const signedText = (c: { seq: number; hash: string; at: string }) =>
  Buffer.from(`errorbudget ledger checkpoint\n${c.seq}\n${c.hash}\n${c.at}`);

export function appendCheckpoint(file: string, keys: LedgerKeys, head: Head, at: Date): void {
  const body = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  const sig = sign(null, signedText(body), keys.signingKey).toString('base64url');
  makePrivateDir(dirname(file));
  securePrivateFile(file);
  // One short line per write: appends to a local file land whole even from several processes.
  appendFileSync(file, `${JSON.stringify({ ...body, key: keys.publicKeyId, sig })}\n`, { mode: 0o600 });
}

/**
 * Reads and checks every line's signature; a line that is not ours is a one-line error naming it.
 * Returns undefined when the file does not exist.
 */
export function readCheckpoints(file: string, keys: LedgerKeys): ExpectedHead[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot be read (${(error as Error).message})`, file);
  }
  const heads: ExpectedHead[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new UserError('is not a checkpoint line (not JSON)', `checkpoint ${where}`);
    }
    const c = lineSchema.safeParse(parsed);
    if (!c.success)
      throw new UserError('is not a checkpoint line (seq, hash, at, key, sig)', `checkpoint ${where}`);
    if (c.data.key !== keys.publicKeyId)
      throw new UserError(
        `is signed by another key (${c.data.key}), not this SECRET's`,
        `checkpoint ${where}`,
      );
    if (!verify(null, signedText(c.data), keys.publicKey, Buffer.from(c.data.sig, 'base64url')))
      throw new UserError('has a signature that does not match its contents', `checkpoint ${where}`);
    heads.push({ seq: c.data.seq, hash: c.data.hash, at: c.data.at, where });
  });
  return heads;
}
