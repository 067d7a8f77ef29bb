import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load-content.js';
import { FakeClock } from './support/fake-clock.js';
import { buildSiteApp } from './support/site-app.js';

// The error budget's own site, as shipped in content/.
const contentDir = fileURLToPath(new URL('../content', import.meta.url));

/** The notes of the seed, in its order: the latest first, then "More notes". */
const seedTitles = [
  'Five backup architecture patterns for fintech: a decision framework from production',
  'What auditors asked when we deployed AI: questions, answers, and what we learned',
  'The AI memory crunch: how DRAM and NAND price shocks reshape infrastructure budgets',
  'Bandwidth contention at peak: backup vs traffic vs telemetry',
  'Security-first infrastructure for payments: isolation, key management, and PCI scope reduction',
  'vSAN for mixed workloads: policy design, AI patterns, and the OSA-to-ESA transition',
];

describe('the shipped content', () => {
  const clock = new FakeClock('2026-11-25T12:00:00Z');
  let site: Awaited<ReturnType<typeof buildSiteApp>>;
  beforeAll(async () => {
    site = await buildSiteApp(clock, contentDir);
  });
  afterAll(async () => {
    site.live.stop();
    await site.app.close();
  });

  it('passes check with no errors and no warnings', async () => {
    const snapshot = await loadContent({ contentDir });
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.warnings).toEqual([]);
  });

  it('has the six notes of the seed on consecutive Fridays ending 2026-11-20, each long, with a table and footnotes', () => {
    const notes = site.live.snapshot.notes;
    expect(notes.map((note) => note.title)).toEqual(seedTitles);
    notes.forEach((note, index) => {
      expect(note.date.toISOString(), note.slug).toBe(
        new Date(Date.UTC(2026, 10, 20 - 7 * index, 9)).toISOString(),
      );
      expect(note.words, note.slug).toBeGreaterThanOrEqual(1500);
      expect(note.html, note.slug).toContain('<table>');
      expect(note.html, note.slug).toContain('data-footnotes');
      expect(note.toc.filter((entry) => entry.depth === 2).length, note.slug).toBeGreaterThanOrEqual(5);
    });
  });

  it('shows them on the home page in the seed order', async () => {
    const home = (await site.app.inject('/')).body;
    const latest = home.slice(home.indexOf('Latest note'), home.indexOf('More notes'));
    expect(latest).toContain(seedTitles[0]);
    const positions = seedTitles.slice(1).map((title) => home.indexOf(title));
    expect(positions.every((position) => position > home.indexOf('More notes'))).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('lists every note in the archive and the feeds', async () => {
    for (const url of ['/notes', '/feed.xml', '/atom.xml', '/feed.json']) {
      const body = (await site.app.inject(url)).body;
      for (const note of site.live.snapshot.notes)
        expect(body, `${url} ${note.slug}`).toContain(`/notes/${note.slug}`);
    }
  });
});
