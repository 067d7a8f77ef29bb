import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { buildSiteApp } from './support/site-app.js';

describe('scheduled and draft notes', () => {
  let site: Awaited<ReturnType<typeof buildSiteApp>> | undefined;
  afterEach(async () => {
    site?.live.stop();
    await site?.app.close();
  });

  const everywhere = [
    '/',
    '/notes',
    '/topics/network-contention',
    '/feed.xml',
    '/atom.xml',
    '/feed.json',
    '/sitemap.xml',
  ];

  it('hides a future note everywhere, then shows it once the clock passes its time, without a restart', async () => {
    const clock = new FakeClock('2026-11-27T08:59:59Z');
    site = await buildSiteApp(clock);
    const { app } = site;
    expect((await app.inject('/notes/next-week')).statusCode).toBe(404);
    for (const url of everywhere)
      expect((await app.inject(url)).body).not.toContain('A note scheduled for next week');

    clock.set('2026-11-27T09:00:00Z');
    expect((await app.inject('/notes/next-week')).statusCode).toBe(200);
    for (const url of everywhere)
      expect((await app.inject(url)).body).toContain(
        url === '/sitemap.xml' ? '/notes/next-week' : 'A note scheduled for next week',
      );
  });

  it('publishes a due note by its timer even before anyone asks', async () => {
    const clock = new FakeClock('2026-11-27T08:59:59.900Z');
    site = await buildSiteApp(clock);
    clock.set('2026-11-27T09:00:00Z');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(site.live.isStale()).toBe(false);
    expect(site.live.pages.get('/notes/next-week')).toBeDefined();
  });

  it('never shows a draft, whatever its date', async () => {
    const clock = new FakeClock('2030-01-01T00:00:00Z');
    site = await buildSiteApp(clock);
    expect((await site.app.inject('/notes/unfinished')).statusCode).toBe(404);
    for (const url of everywhere)
      expect((await site.app.inject(url)).body).not.toContain('An unfinished draft');
  });
});
