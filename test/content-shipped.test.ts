import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load-content.js';
import { FakeClock } from './support/fake-clock.js';
import { buildSiteApp } from './support/site-app.js';

// The error budget's own site, as shipped in content/.
const contentDir = fileURLToPath(new URL('../content', import.meta.url));

/**
 * The notes of the seed (the site owner's copy of the landing page), word for word and in its order: the
 * latest first, then "More notes". Each note publishes at 09:00 London time on a Friday.
 */
const seedNotes = [
  {
    title: 'Five backup architecture patterns for fintech: a decision framework from production',
    summary:
      'Choosing backup architecture for regulated financial infrastructure is harder than vendor pitches suggest. Five patterns we have operated, their trade-offs, and the decision framework that helps match pattern to workload.',
    published: 'Friday 20 November 2026 09:00',
  },
  {
    title: 'What auditors asked when we deployed AI: questions, answers, and what we learned',
    summary:
      "Real audit questions when AI infrastructure entered our regulated environment. PCI DSS, ISO 27001, and regulatory inspection patterns. The answers that passed, the answers that didn't, and how to prepare evidence that scales.",
    published: 'Friday 13 November 2026 09:00',
  },
  {
    title: 'The AI memory crunch: how DRAM and NAND price shocks reshape infrastructure budgets',
    summary:
      'DDR5 prices up 3-4x. Enterprise SSDs up 470%. Memory manufacturers redirecting capacity to AI customers. Notes from infrastructure operators navigating the worst memory market in a decade, and the procurement strategies that work.',
    published: 'Friday 6 November 2026 09:00',
  },
  {
    title: 'Bandwidth contention at peak: backup vs traffic vs telemetry',
    summary:
      "At peak, four streams fight for one network: live user traffic, near-realtime backup replication, log shipping, and metrics. Here's a quantified worked example of the saturation, why load tests miss it, and a tiered must-have / should-have / nice-to-have fix list.",
    published: 'Friday 30 October 2026 09:00',
  },
  {
    title: 'Security-first infrastructure for payments: isolation, key management, and PCI scope reduction',
    summary:
      'How payment infrastructure is architected security-first: PCI scope reduction, HSM-backed key management, tokenization, and the segmentation that keeps the highest-risk data in the smallest possible blast radius.',
    published: 'Friday 23 October 2026 09:00',
  },
  {
    title: 'vSAN for mixed workloads: policy design, AI patterns, and the OSA-to-ESA transition',
    summary:
      'Operating vSAN clusters that host both regulated banking workloads and AI training. Storage policy design for mixed workload classes, OSA and ESA architecture trade-offs, and lessons from running both in production.',
    published: 'Friday 16 October 2026 09:00',
  },
];
const seedTitles = seedNotes.map((seed) => seed.title);

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "Friday 16 October 2026 09:00": the wall-clock time in London, whatever ICU's punctuation. */
function londonTime(date: Date): string {
  const part = Object.fromEntries(londonParts.formatToParts(date).map(({ type, value }) => [type, value]));
  return `${part.weekday} ${part.day} ${part.month} ${part.year} ${part.hour}:${part.minute}`;
}

/** The definitions of a note's footnotes in its Markdown source: `[^label]: …` up to the next blank line. */
function footnoteDefinitions(markdown: string): string[] {
  return [...markdown.matchAll(/^\[\^[^\]]+\]:[^\n]*(?:\n(?!\n)[^\n]*)*/gm)].map((match) => match[0]);
}

/** The footnotes a reader sees: each item of the rendered footnote list. */
function renderedFootnotes(html: string): string[] {
  const section = html.slice(html.indexOf('data-footnotes'));
  return section.split(/<li id="fn-/).slice(1);
}

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

  it("carries the seed's six titles and summaries word for word, in the seed's order", () => {
    const notes = site.live.snapshot.notes;
    expect(notes.map(({ title, summary }) => ({ title, summary }))).toEqual(
      seedNotes.map(({ title, summary }) => ({ title, summary })),
    );
  });

  it('publishes them on consecutive Fridays at 09:00 London time, ending 2026-11-20', () => {
    const notes = site.live.snapshot.notes;
    expect(notes.map((note) => londonTime(note.date))).toEqual(seedNotes.map((seed) => seed.published));
  });

  const renderedNotes = async () =>
    (await Promise.all(site.live.snapshot.notes.map((note) => site.live.note(note)))).filter(
      (note) => note !== undefined,
    );

  it('makes each note 1,500 to 3,000 words, with a table, footnotes and at least five sections', async () => {
    for (const note of await renderedNotes()) {
      expect(note.words, note.slug).toBeGreaterThanOrEqual(1500);
      expect(note.words, note.slug).toBeLessThanOrEqual(3000);
      expect(note.html, note.slug).toContain('<table>');
      expect(note.html, note.slug).toContain('data-footnotes');
      expect(note.toc.filter((entry) => entry.depth === 2).length, note.slug).toBeGreaterThanOrEqual(5);
    }
  });

  it('gives every footnote definition in every note a link a reader can follow', async () => {
    for (const note of await renderedNotes()) {
      const definitions = footnoteDefinitions(await readFile(join(contentDir, note.file), 'utf8'));
      expect(definitions.length, note.slug).toBeGreaterThan(0);
      for (const definition of definitions) expect(definition, note.slug).toMatch(/https:\/\/\S+/);
      const shown = renderedFootnotes(note.html);
      expect(shown.length, note.slug).toBe(definitions.length);
      for (const footnote of shown) expect(footnote, note.slug).toMatch(/<a href="https:\/\/[^"]+"/);
    }
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
