// The end of every command's --help: which data directory and database that command would use, as the
// environment, `.env` and defaults resolve them right now, so nobody has to guess which copy they touch.
import type { Command } from 'commander';
import { configFrom } from './options.js';

/** Commands that never open the database (`export` keeps a render cache and `preview` the secret there). */
const withoutDatabase = new Set(['check', 'new', 'export', 'init', 'preview', 'mailbox', 'mailbox show']);

export function whereDataLives(command: Command): string {
  let config: ReturnType<typeof configFrom>;
  try {
    config = configFrom({});
  } catch (error) {
    return `\nData directory and database: not known until the configuration is fixed (${(error as Error).message})\n`;
  }
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  const name = names.join(' ');
  const database = withoutDatabase.has(name)
    ? `none (${name} does not use the database)`
    : `${withoutPassword(config.databaseUrl)} (DATABASE_URL)`;
  return `\nData directory: ${config.dataDir} (DATA_DIR)\nDatabase: ${database}\n`;
}

/** A PostgreSQL URL may carry a password; help text ends up in terminals, logs and bug reports. */
function withoutPassword(url: string): string {
  if (!url.startsWith('postgres')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://… (unreadable URL)';
  }
}
