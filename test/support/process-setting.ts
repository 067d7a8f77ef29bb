// What a test of real processes starts them in: a fresh, unmigrated database (the process migrates it),
// an SMTP sink, and the environment that points a process at both.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/db/open-database.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { type SmtpSink, startSmtpSink } from './smtp-sink.js';
import { testSecret } from './subscription-app.js';

export interface ProcessSetting {
  t: TestDatabase;
  smtp: SmtpSink;
  env: Record<string, string>;
}

export async function processSetting(engine: Engine): Promise<ProcessSetting> {
  const t = await createTestDatabase(engine, { migrated: false });
  const smtp = await startSmtpSink();
  const env = {
    DATABASE_URL: t.url,
    DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')),
    SECRET: testSecret,
    SMTP_URL: smtp.url,
  };
  return { t, smtp, env };
}
