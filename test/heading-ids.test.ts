import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { pageIds } from '../src/content/heading-ids.js';
import { buildSiteApp, copyOfFixtureContent } from './support/site-app.js';

const idsIn = (html: string) => [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1] ?? '');

describe('heading ids on the note page', () => {
  let site: Awaited<ReturnType<typeof buildSiteApp>>;
  let layoutIds: string[];

  beforeAll(async () => {
    const dir = await copyOfFixtureContent();
    // A heading for every id the layout uses, written the way a writer would title a section.
    const plain = await layoutIdsOf(dir);
    const headings = plain.map((id) => `## ${id.replace(/-/g, ' ')}\n\nText.\n`).join('\n');
    await writeFile(
      join(dir, 'notes/clash.md'),
      `---\ntitle: Clash\nsummary: Headings named like the page's ids.\ndate: 2026-11-02T09:00:00+00:00\ntopics: [backup-recovery]\n---\n\n${headings}\nA claim.[^one]\n\n[^one]: Its source.\n`,
    );
    site = await buildSiteApp(systemClock, dir);
  });
  afterAll(async () => {
    site?.live.stop();
    await site?.app.close();
  });

  /** The ids of a note page that do not come from the note: what the layout itself uses. */
  async function layoutIdsOf(dir: string): Promise<string[]> {
    const plainSite = await buildSiteApp(systemClock, dir);
    try {
      const page = await plainSite.app.inject({ method: 'GET', url: '/notes/restore-drills' });
      const note = plainSite.live.current.published.find((n) => n.slug === 'restore-drills');
      const own = new Set(idsIn((note && plainSite.live.renderingOf(note)?.html) ?? ''));
      layoutIds = idsIn(page.body).filter((id) => !own.has(id));
      return [...new Set([...layoutIds, 'footnote-label', 'fn-one', 'fnref-one'])];
    } finally {
      plainSite.live.stop();
      await plainSite.app.close();
    }
  }

  it('reserves every id the page layout uses around a note', () => {
    expect(layoutIds).toContain('main');
    for (const id of layoutIds) expect(pageIds, `layout id "${id}"`).toContain(id);
  });

  it('gives no two elements of the page the same id, whatever the headings are called', async () => {
    const page = await site.app.inject({ method: 'GET', url: '/notes/clash' });
    expect(page.statusCode).toBe(200);
    const ids = idsIn(page.body);
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(repeated).toEqual([]);
    expect(page.body).toContain('<a class="skip-link" href="#main">');
    expect(page.body).toMatch(/<h2 id="main-1">main<a class="anchor"/);
    expect(page.body).toMatch(/<h2 id="fn-one-1">fn one<a class="anchor"/);
  });
});
