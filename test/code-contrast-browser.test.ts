import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { wcagContrast } from 'culori';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { minimumContrast } from '../src/content/code-themes.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { buildSiteApp, copyOfFixtureContent } from './support/site-app.js';

/** Code in the languages a technical note uses, touching strings, numbers, comments, keywords and diffs. */
const samples: Record<string, string> = {
  yaml: 'retention: 35d # keep a month\nenabled: true\nreplicas: 3\nname: "payments"',
  bash: 'set -euo pipefail\n# restore the newest snapshot\nrestic restore latest --target "/srv/$HOST" && echo ok',
  typescript:
    'export async function drill(id: string): Promise<number> {\n  // one drill\n  const n = 42;\n  return n ?? null;\n}',
  python:
    'import os\n\n@cache\ndef rto(minutes: int = 60) -> str:\n    """Hours."""\n    return f"{minutes / 60:.1f} h"  # rounded',
  json: '{ "rpo": "5 min", "tiers": [1, 2, null], "ok": true }',
  sql: "SELECT id, count(*) FROM events WHERE created_at > now() - interval '1 day' GROUP BY 1; -- daily",
  diff: '--- a/site.yml\n+++ b/site.yml\n@@ -1 +1 @@\n-time: "09:00"\n+time: "10:00"',
  go: 'package main\n\nfunc main() {\n\tfmt.Println("drill", 3.5, true) // done\n}',
  rust: 'fn main() -> Result<(), Box<dyn Error>> {\n    let x: u32 = 7; // seven\n    println!("{x}");\n    Ok(())\n}',
  css: '.prose pre { color: #333; margin: 0 auto !important; }\n@media (min-width: 40em) { a:hover { color: red } }',
  html: '<!-- note -->\n<a href="/x" class="y">link &amp; more</a>',
  dockerfile: 'FROM node:20-slim\nRUN npm ci --omit=dev\nCMD ["node", "bin/errorbudget.js"]',
  ini: '[mysqld]\ninnodb_buffer_pool_size = 8G ; half the RAM',
  markdown: '# Title\n\n*emphasis* and `code` and [link](https://x.test)',
};

describe.skipIf(skipBrowserTests)('code colours in headless Chromium', () => {
  let site: Awaited<ReturnType<typeof buildSiteApp>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const dir = await copyOfFixtureContent();
    const blocks = Object.entries(samples)
      .map(([lang, code]) => `\`\`\`${lang}\n${code}\n\`\`\``)
      .join('\n\n');
    await writeFile(
      join(dir, 'notes/code-sampler.md'),
      `---\ntitle: Code sampler\nsummary: Every token colour.\ndate: 2026-11-02T09:00:00+00:00\ntopics: [backup-recovery]\n---\n\n${blocks}\n`,
    );
    site = await buildSiteApp(systemClock, dir);
    origin = await site.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    site?.live.stop();
    await site?.app.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`draws every code token at ${minimumContrast}:1 or more on its background (${colorScheme})`, async () => {
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      await page.goto(`${origin}/notes/code-sampler`);
      const pairs = await page.evaluate(() =>
        [...document.querySelectorAll('pre.shiki')].flatMap((pre) => {
          const background = getComputedStyle(pre).backgroundColor;
          return [...pre.querySelectorAll('span:not(.line)')]
            .filter((span) => span.textContent?.trim())
            .map((span) => ({
              text: span.textContent ?? '',
              color: getComputedStyle(span).color,
              background,
            }));
        }),
      );
      await context.close();
      const colours = new Set(pairs.map((pair) => pair.color));
      // The sampler must exercise the themes: comments, strings, keywords, numbers, names, diff lines.
      expect(colours.size).toBeGreaterThanOrEqual(7);
      const low = pairs
        .map((pair) => ({ ...pair, ratio: wcagContrast(pair.color, pair.background) }))
        .filter((pair) => pair.ratio < minimumContrast);
      expect(low).toEqual([]);
    });
  }
});
