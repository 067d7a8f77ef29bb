// Options several commands share, and how they become configuration.
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config/load-config.js';

export interface CommonOptions {
  content?: string;
}

export function withContentOption(command: Command): Command {
  return command.option(
    '--content <dir>',
    'the content folder (env CONTENT_DIR; default ./content, or . in a folder with a site.yml)',
  );
}

export function configFrom(
  options: CommonOptions & { port?: string; host?: string; siteUrl?: string },
): Config {
  return loadConfig(process.env, {
    CONTENT_DIR: options.content,
    PORT: options.port,
    HOST: options.host,
    SITE_URL: options.siteUrl,
  });
}
