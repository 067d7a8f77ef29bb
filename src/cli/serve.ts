// `errorbudget serve`: loads the content, refuses to start if it is broken, then serves and watches it,
// and runs the background work (mail, issues, bounces) in the same process unless told `--no-worker`.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { ensureSecret } from '../config/ensure-secret.js';
import { watchContent } from '../content/watch-content.js';
import { createLogger } from '../observability/logger.js';
import { buildApp } from '../server/build-app.js';
import { openServices } from '../server/open-services.js';
import { PreviewSigner } from '../site/preview-link.js';
import { defaultRateLimits } from '../subscriptions/routes.js';
import { metricsFor, startOperatorListener, stopOnSignals } from './lifecycle.js';
import { openLiveSite } from './open-site.js';
import { configFrom, withContentOption } from './options.js';

export function registerServe(program: Command): void {
  withContentOption(program.command('serve'))
    .description(
      'serve the site, publish scheduled notes on time, mail each new note to its readers, and re-render notes as they change',
    )
    .option('-p, --port <port>', 'port to listen on (env PORT, default 3000)')
    .option('-H, --host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--site-url <url>', 'public URL of the site, for canonical links and feeds (env SITE_URL)')
    .option('--no-watch', 'do not watch the content folder for changes')
    .option(
      '--no-worker',
      'serve pages and forms only: leave mail, issues, the schedule and subscribe requests to `errorbudget worker` processes',
    )
    .option(
      '--drafts',
      'also show drafts and scheduled notes, marked, at their addresses (for writing locally; never in feeds, lists or the sitemap)',
    )
    .action(
      async (options: {
        content?: string;
        port?: string;
        host?: string;
        siteUrl?: string;
        watch: boolean;
        worker: boolean;
        drafts?: boolean;
      }) => {
        const config = configFrom(options);
        const log = createLogger(config.logLevel);
        // Listening needs the front matter only: the bodies are rendered behind, once it listens.
        const live = await openLiveSite(config, log, { drafts: options.drafts === true, renderLater: true });
        if (options.drafts)
          log.warn(
            'showing drafts and scheduled notes (--drafts): for writing locally, not for the public site',
          );
        const snapshot = live.snapshot;

        const metrics = await metricsFor(config);
        const services = await openServices(config, {
          live,
          log,
          clock: systemClock,
          ...(metrics ? { metrics } : {}),
        });
        if (options.worker) {
          await services.startWorkers();
          log.info(`mail goes to the ${services.transport.description}`);
        } else log.info('no background work here (--no-worker): an `errorbudget worker` process must run');
        const { operator, listener } = await startOperatorListener(config, {
          metrics,
          readiness: () => services.readiness(),
        });
        const app = await buildApp({
          live,
          log,
          clock: systemClock,
          subscriptions: services.subscriptions,
          rateLimits: { ...defaultRateLimits, subscribePerMinute: config.subscribeRateLimit },
          searchRateLimit: config.searchRateLimit,
          trustProxy: config.trustProxy,
          operator,
          requestTally: services.availability.tally,
          ...(metrics ? { metrics } : {}),
          subscribeOrigins: config.subscribeOrigins,
          preview: new PreviewSigner(ensureSecret(config)),
          // With or without --no-worker: the admin reads and acts through the database, which workers share.
          admin: { services, live, config, clock: systemClock, log, ...(metrics ? { metrics } : {}) },
        });
        services.availability.start();
        const watcher = options.watch ? watchContent(config.contentDir, () => live.reload()) : undefined;
        // Requests in flight are answered (new ones get 503) before the mails in flight are finished.
        stopOnSignals(log, config, async () => {
          live.stop();
          await watcher?.close();
          await app.close();
          await services.close();
          await listener?.close();
        });

        await app.listen({ port: config.port, host: config.host });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : config.port;
        const published = live.current.published.length;
        log.info(
          { notes: published, contentDir: config.contentDir },
          `serving ${snapshot.site.title} at http://${config.host}:${port} (site URL ${config.siteUrl})`,
        );
        if (listener) log.info(`health and metrics at ${listener.url}`);
        live.renderBehind();
      },
    );
}
