// `errorbudget serve`: loads the content, refuses to start if it is broken, then serves and watches it,
// and runs the background work (mail, issues, bounces) in the same process unless told `--no-worker`.
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../clock.js';
import { ensureSecret } from '../config/ensure-secret.js';
import { type ContentWatcher, watchContent } from '../content/watch-content.js';
import { createLogger } from '../observability/logger.js';
import type { MetricsServer } from '../observability/metrics-server.js';
import { RequestTally } from '../observability/request-tally.js';
import type { Services } from '../server/open-services.js';
import { createSiteServer } from '../server/site-server.js';
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
        const metrics = await metricsFor(config);
        const requestTally = new RequestTally();
        // Pages and feeds answer from here on; forms, searches and the admin wait for the rest, loaded below
        // while the bodies render behind on their threads.
        const site = createSiteServer({ live, tally: requestTally, trustProxy: config.trustProxy, metrics });
        await new Promise<void>((resolve, reject) => {
          site.server.once('error', reject);
          site.server.listen(config.port, config.host, () => resolve());
        });
        live.renderBehind();

        // Whatever has started is stopped; requests in flight are answered (new ones get 503) before the
        // mails in flight are finished.
        const running: {
          app?: FastifyInstance;
          services?: Services;
          listener?: MetricsServer;
          watcher?: ContentWatcher;
        } = {};
        const stopAll = async () => {
          await running.watcher?.close();
          await running.app?.close();
          await new Promise((resolve) => site.server.close(resolve));
          await running.services?.close();
          await running.listener?.close();
          // Last: an issue being created in the meantime still renders its note.
          await live.stop();
        };
        const startup = (async () => {
          const [{ openServices }, { buildApp }] = await Promise.all([
            import('../server/open-services.js'),
            import('../server/build-app.js'),
          ]);
          const services = await openServices(config, {
            live,
            log,
            clock: systemClock,
            requestTally,
            ...(metrics ? { metrics } : {}),
          });
          running.services = services;
          if (options.worker) {
            await services.startWorkers();
            log.info(`mail goes to the ${services.transport.description}`);
          } else log.info('no background work here (--no-worker): an `errorbudget worker` process must run');
          const { operator, listener } = await startOperatorListener(config, {
            metrics,
            readiness: () => services.readiness(),
          });
          if (listener) {
            running.listener = listener;
            log.info(`health and metrics at ${listener.url}`);
          }
          running.app = await buildApp({
            live,
            log,
            clock: systemClock,
            server: site,
            subscriptions: services.subscriptions,
            rateLimits: { ...defaultRateLimits, subscribePerMinute: config.subscribeRateLimit },
            searchRateLimit: config.searchRateLimit,
            trustProxy: config.trustProxy,
            operator,
            requestTally,
            ...(metrics ? { metrics } : {}),
            subscribeOrigins: config.subscribeOrigins,
            preview: new PreviewSigner(ensureSecret(config)),
            // With or without --no-worker: the admin reads and acts through the database, which workers share.
            admin: { services, live, config, clock: systemClock, log, ...(metrics ? { metrics } : {}) },
          });
          services.availability.start();
          if (options.watch) running.watcher = watchContent(config.contentDir, () => live.reload());
        })();
        // A signal while starting waits for the start, so that what was counted and sent is recorded.
        stopOnSignals(log, config, () => startup.then(stopAll, stopAll));
        try {
          await startup;
        } catch (error) {
          // A database that refuses us stops the server that already answered pages.
          await stopAll();
          throw error;
        }
        // Said once everything answers, after what starting had to say (a relay, a warning): operators
        // and scripts read this line as "ready", though pages were answered since `listen`.
        const address = site.server.address();
        const port = typeof address === 'object' && address ? address.port : config.port;
        log.info(
          { notes: live.current.published.length, contentDir: config.contentDir },
          `serving ${live.snapshot.site.title} at http://${config.host}:${port} (site URL ${config.siteUrl})`,
        );
      },
    );
}
