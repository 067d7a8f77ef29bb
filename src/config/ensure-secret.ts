// The secret that signs personal links and keys the email HMACs. Generated once into the data folder
// when SECRET is not set, so the two-command start needs no configuration.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../user-error.js';
import type { Config } from './load-config.js';
import { securePrivateDir, securePrivateFile } from './private-files.js';

export function ensureSecret(config: Pick<Config, 'secret' | 'dataDir'>): string {
  if (config.secret) return config.secret;
  const file = join(config.dataDir, 'secret');
  securePrivateDir(config.dataDir);
  try {
    // 'wx' fails if another process got there first; then we read theirs.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    securePrivateFile(file);
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32)
    throw new UserError('is shorter than 32 characters; delete it to get a new one', file);
  return secret;
}
