// Debian's Chromium driven by playwright-core. Browser tests skip with a notice where it is missing,
// except under CI=true, where they must run.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const mustRunBrowserTests = process.env.CI === 'true';
export const skipBrowserTests = !hasChromium && !mustRunBrowserTests;

if (skipBrowserTests) {
  console.warn(`NOTICE: browser tests skipped: ${chromiumPath} not found (apt-get install -y chromium)`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
