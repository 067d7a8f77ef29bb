// CSV imports started from the admin: an upload is kept as a private file, previewed, and imported on
// confirmation by the same code as `errorbudget subscribers import` (same consent rules, same ledger
// events), as a job in this server process whose progress any page load can read. An upload nobody
// confirms is deleted after an hour; a finished job is remembered for a day, its file deleted at once.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { makePrivateDir } from '../config/private-files.js';
import type { Db } from '../db/open-database.js';
import {
  type ImportReport,
  type ImportStatus,
  importSubscribers,
} from '../subscriptions/import-subscribers.js';
import { type ImportPreview, previewImport } from '../subscriptions/preview-import.js';
import type { Keys } from '../subscriptions/tokens.js';
import { isUserError, UserError } from '../user-error.js';
import { type ActingAdmin, recordAdminAction } from './admin-actions.js';

export type JobState = 'uploaded' | 'running' | 'done' | 'failed';

export interface ImportJob {
  id: string;
  /** The name the file had on the admin's computer. */
  name: string;
  state: JobState;
  bytes: number;
  preview: ImportPreview;
  status?: ImportStatus;
  emailColumn?: string;
  progress: { rows: number; bytes: number };
  report?: ImportReport;
  error?: string;
  createdAt: number;
  finishedAt?: number;
}

const unconfirmedMs = 60 * 60 * 1000;
const rememberedMs = 24 * 60 * 60 * 1000;

export interface ImportJobsOptions {
  db: Db;
  keys: Keys;
  clock: Clock;
  log: Logger;
  /** A private folder for uploads. */
  dir: string;
}

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly running = new Set<Promise<void>>();
  private readonly inputs = new Set<Readable>();

  constructor(private readonly o: ImportJobsOptions) {}

  private path(id: string) {
    return join(this.o.dir, `${id}.csv`);
  }

  /** Stores an upload and previews it; a file that is not a usable CSV is deleted and refused. */
  async upload(file: Readable, name: string): Promise<ImportJob> {
    await this.expire();
    makePrivateDir(this.o.dir);
    const id = randomBytes(18).toString('base64url');
    const path = this.path(id);
    const shownName = name || 'the file';
    try {
      await pipeline(file, createWriteStream(path, { mode: 0o600 }));
      if ((file as Readable & { truncated?: boolean }).truncated)
        throw new UserError(
          'is larger than the upload limit (200 MiB); import it with `errorbudget subscribers import`',
          shownName,
        );
      const preview = await previewImport(path, shownName);
      const { size } = await stat(path);
      const job: ImportJob = {
        id,
        name: shownName,
        state: 'uploaded',
        bytes: size,
        preview,
        progress: { rows: 0, bytes: 0 },
        createdAt: this.o.clock.now().getTime(),
      };
      this.jobs.set(id, job);
      return job;
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  }

  get(id: string): ImportJob | undefined {
    return this.jobs.get(id);
  }

  /** Starts the import of a previewed upload; false if it was already started or is unknown. */
  start(id: string, choice: { emailColumn: number; status: ImportStatus }, admin: ActingAdmin): boolean {
    const job = this.jobs.get(id);
    if (job?.state !== 'uploaded') return false;
    const emailColumn = job.preview.headers[choice.emailColumn];
    if (emailColumn === undefined) throw new UserError(`has no column ${choice.emailColumn + 1}`, job.name);
    job.state = 'running';
    job.status = choice.status;
    job.emailColumn = emailColumn;
    const run = this.run(job, admin).finally(() => this.running.delete(run));
    this.running.add(run);
    return true;
  }

  private async run(job: ImportJob, admin: ActingAdmin): Promise<void> {
    const { db, keys, clock, log } = this.o;
    const input = createReadStream(this.path(job.id));
    this.inputs.add(input);
    try {
      await recordAdminAction(
        db,
        admin,
        'import started',
        { file: job.name, rows: job.preview.rows, status: job.status },
        clock,
      );
      job.report = await importSubscribers({
        db,
        keys,
        clock,
        input,
        source: job.name,
        status: job.status ?? 'pending',
        emailColumn: job.emailColumn ?? '',
        onProgress: (rows, bytes) => {
          job.progress = { rows, bytes };
        },
      });
      job.progress = { rows: job.preview.rows, bytes: job.bytes };
      job.state = 'done';
      const { imported, duplicates, badCount } = job.report;
      await recordAdminAction(
        db,
        admin,
        'import finished',
        { file: job.name, imported, duplicates, bad: badCount },
        clock,
      );
    } catch (error) {
      job.state = 'failed';
      job.error = isUserError(error)
        ? error.message
        : 'the import stopped on an unexpected error (see the log)';
      if (!isUserError(error)) log.error({ err: error, job: job.id }, 'admin import failed');
    } finally {
      this.inputs.delete(input);
      job.finishedAt = clock.now().getTime();
      await rm(this.path(job.id), { force: true });
    }
  }

  /** Forgets old jobs and deletes uploads nobody confirmed. */
  private async expire(): Promise<void> {
    const now = this.o.clock.now().getTime();
    for (const job of [...this.jobs.values()]) {
      const stale =
        (job.state === 'uploaded' && now - job.createdAt > unconfirmedMs) ||
        (job.finishedAt !== undefined && now - job.finishedAt > rememberedMs);
      if (!stale) continue;
      this.jobs.delete(job.id);
      await rm(this.path(job.id), { force: true });
    }
  }

  /** Stops running imports (what they wrote stays: each batch commits with its ledger events). */
  async close(): Promise<void> {
    for (const input of this.inputs) input.destroy(new UserError('the server stopped during the import'));
    await Promise.allSettled(this.running);
    for (const job of this.jobs.values()) await rm(this.path(job.id), { force: true });
    this.jobs.clear();
  }
}
