// `errorbudget export OUT_DIR`: writes the public site as static files.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadContent } from '../content/load-content.js';
import { RenderCache } from '../content/render-cache.js';
import { buildPages, drawCards } from '../site/build-pages.js';
import { addSubscribeResultPages, serverSearchFor, subscribeActionFor } from '../site/export-forms.js';
import { addStaticSearch } from '../site/export-search.js';
import { exportSite } from '../site/export-site.js';
import { renderCacheDir, shareCards } from './open-site.js';
import { configFrom, withContentOption } from './options.js';
import { contentProblems } from './problems.js';

export function registerExport(program: Command): void {
  withContentOption(program.command('export'))
    .description('write the whole public site as static files (pages, feeds, sitemap, assets)')
    .argument('<out-dir>', 'folder to write; created if missing')
    .option('--site-url <url>', 'absolute URL the files will be served at (env SITE_URL)')
    .option(
      '--subscribe-url <url>',
      'a running errorbudget that takes the subscriptions (site.yml export.subscribeUrl); without it the forms are left out',
    )
    .action(
      async (outDir: string, options: { content?: string; siteUrl?: string; subscribeUrl?: string }) => {
        const config = configFrom(options);
        const snapshot = await loadContent({
          contentDir: config.contentDir,
          cache: new RenderCache(renderCacheDir(config)),
        });
        if (snapshot.errors.length > 0) throw contentProblems(snapshot.errors, 'nothing written: ');
        const subscribeAction = options.subscribeUrl
          ? subscribeActionFor(options.subscribeUrl, '--subscribe-url')
          : subscribeActionFor(snapshot.site.export?.subscribeUrl, 'site.yml: export.subscribeUrl');
        // Nothing is served meanwhile: every core draws.
        const cards = shareCards(config, availableParallelism());
        const set = await buildPages(snapshot, config.siteUrl, config.contentDir, systemClock.now(), {
          subscribeAction,
          searchAction: subscribeAction ? serverSearchFor(subscribeAction) : undefined,
          cards,
        });
        if (subscribeAction) addSubscribeResultPages(set);
        await addStaticSearch(set, join(config.dataDir, 'cache', 'pagefind'));
        await drawCards(set, cards);
        const files = await exportSite(set, outDir);
        process.stdout.write(`wrote ${files.length} files (${set.published.length} notes) to ${outDir}\n`);
        process.stdout.write(
          subscribeAction
            ? `The subscribe forms post to ${subscribeAction}: that errorbudget needs SUBSCRIBE_ORIGINS=${new URL(config.siteUrl).origin}\n`
            : 'The subscribe forms were left out: a static host cannot take them. Give --subscribe-url (or export.subscribeUrl in site.yml) the address of a running errorbudget to keep them.\n',
        );
      },
    );
}
