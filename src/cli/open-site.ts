// Loading the content as `serve` sees it, for every command that needs the notes (serve, worker, send).
import { join } from 'node:path';
import type { Logger } from 'pino';
import { systemClock } from '../clock.js';
import type { Config } from '../config/load-config.js';
import { RenderCache } from '../content/render-cache.js';
import { LiveSite } from '../site/live-site.js';
import { ShareCards } from '../site/share-card/share-cards.js';
import { contentProblems } from './problems.js';

export function renderCacheDir(config: Config): string {
  return join(config.dataDir, 'cache', 'notes');
}

/** Share cards drawn once stay on disk beside the rendered notes. */
export function shareCards(config: Config, threads = 1): ShareCards {
  return new ShareCards(join(config.dataDir, 'cache', 'cards'), threads);
}

/**
 * Broken content stops the command with the list of problems: a broken site never starts. Commands that
 * only mail (`worker`, `send`) ask for the notes without the pages, which saves most of the memory.
 */
export async function openLiveSite(
  config: Config,
  log: Logger,
  { pages = true, drafts = false, renderLater = false } = {},
): Promise<LiveSite> {
  const live = new LiveSite({
    drafts,
    renderLater,
    contentDir: config.contentDir,
    siteUrl: config.siteUrl,
    clock: systemClock,
    log,
    cache: new RenderCache(renderCacheDir(config)),
    cards: shareCards(config),
    pages,
  });
  const snapshot = await live.load();
  if (snapshot.errors.length > 0) {
    throw contentProblems(snapshot.errors, 'not starting: ');
  }
  for (const warning of snapshot.warnings) log.warn({ problem: warning }, 'content warning');
  return live;
}
