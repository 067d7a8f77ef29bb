// Builds the real site application on a content folder, with a fake clock and a silent logger.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import type { Clock } from '../../src/clock.js';
import { RenderCache } from '../../src/content/render-cache.js';
import { buildApp } from '../../src/server/build-app.js';
import { LiveSite } from '../../src/site/live-site.js';

export const fixtureContent = fileURLToPath(new URL('../fixtures/content', import.meta.url));
export const siteUrl = 'https://errorbudget.test';

/** A private copy of the fixture content, for tests that edit files. */
export async function copyOfFixtureContent(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eb-content-'));
  await cp(fixtureContent, dir, { recursive: true });
  return dir;
}

/** A loaded LiveSite; content errors fail the test that asked for it. */
export async function createLiveSite(
  clock: Clock,
  contentDir = fixtureContent,
  options: { cacheDir?: string; log?: Logger } = {},
): Promise<LiveSite> {
  const log = options.log ?? pino({ level: 'silent' });
  const cache = options.cacheDir ? new RenderCache(options.cacheDir) : undefined;
  const live = new LiveSite({ contentDir, siteUrl, clock, log, cache });
  const snapshot = await live.load();
  if (snapshot.errors.length > 0) throw new Error(snapshot.errors.join('\n'));
  return live;
}

export async function buildSiteApp(clock: Clock, contentDir = fixtureContent) {
  const live = await createLiveSite(clock, contentDir);
  const app = await buildApp({ live, log: pino({ level: 'silent' }), clock });
  return { app, live };
}
