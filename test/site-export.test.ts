import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPages, drawCards } from '../src/site/build-pages.js';
import { exportedFileName, exportSite } from '../src/site/export-site.js';
import { ShareCards } from '../src/site/share-card/share-cards.js';
import { FakeClock } from './support/fake-clock.js';
import { buildSiteApp, fixtureContent, siteUrl } from './support/site-app.js';

const clock = new FakeClock('2026-11-25T12:00:00Z');
let site: Awaited<ReturnType<typeof buildSiteApp>>;
let outDir: string;
let written: string[];

beforeAll(async () => {
  site = await buildSiteApp(clock);
  outDir = await mkdtemp(join(tmpdir(), 'eb-export-'));
  // As `errorbudget export` does: the share cards are drawn before anything is written.
  const cards = new ShareCards();
  const set = await buildPages(site.live.snapshot, siteUrl, fixtureContent, clock.now(), { cards });
  await drawCards(set, cards);
  written = await exportSite(set, outDir);
  await site.live.cardsDrawn();
});
afterAll(async () => {
  site.live.stop();
  await site.app.close();
});

describe('export', () => {
  it('writes every page, feed, asset and the 404 page', () => {
    for (const name of [
      'index.html',
      'notes.html',
      'notes/restore-drills.html',
      'topics/backup-recovery.html',
      'feed.xml',
      'atom.xml',
      'feed.json',
      'sitemap.xml',
      'robots.txt',
      'images/diagram.svg',
      'favicon.svg',
      '404.html',
    ])
      expect(written).toContain(name);
    expect(written.some((name) => /^assets\/site\.[0-9a-f]{12}\.css$/.test(name))).toBe(true);
    // A card per published note and one for the site.
    expect(written.filter((name) => /^cards\/[A-Za-z0-9]{16}\.png$/.test(name))).toHaveLength(3);
    expect(written).not.toContain('notes/next-week.html');
  });

  it('writes files byte for byte equal to what serve returns', async () => {
    const paths = [...site.live.pages.paths()];
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      const response = await site.app.inject(path);
      const file = await readFile(
        join(outDir, exportedFileName(path, String(response.headers['content-type']))),
      );
      expect(file.equals(response.rawPayload), path).toBe(true);
    }
    const missing = await site.app.inject('/no-such-page');
    expect((await readFile(join(outDir, '404.html'))).equals(missing.rawPayload)).toBe(true);
  });

  it('replaces its own earlier export, removing files that no longer exist', async () => {
    await writeFile(join(outDir, 'notes', 'stale.html'), 'old');
    const manifest = JSON.parse(await readFile(join(outDir, '.errorbudget-export.json'), 'utf8')) as string[];
    await writeFile(
      join(outDir, '.errorbudget-export.json'),
      JSON.stringify([...manifest, 'notes/stale.html']),
    );
    await exportSite(await buildPages(site.live.snapshot, siteUrl, fixtureContent, clock.now()), outDir);
    expect(await readdir(join(outDir, 'notes'))).not.toContain('stale.html');
  });

  it('refuses to write into a folder that is not empty and not an earlier export', async () => {
    const other = await mkdtemp(join(tmpdir(), 'eb-other-'));
    await writeFile(join(other, 'precious.txt'), 'keep me');
    await expect(
      exportSite(await buildPages(site.live.snapshot, siteUrl, fixtureContent, clock.now()), other),
    ).rejects.toThrow(/is not empty and is not an earlier export/);
    expect(await readdir(other)).toEqual(['precious.txt']);
  });
});
