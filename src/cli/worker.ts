// `errorbudget worker`: the background work without the web server (outbox, issues, the schedule,
// subscribe requests, bounces). Any number of workers and `serve` processes can share one PostgreSQL
// database. Its only listener is the operators' one (METRICS_PORT): health, readiness and metrics.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { watchContent } from '../content/watch-content.js';
import { createLogger } from '../observability/logger.js';
import { openServices } from '../server/open-services.js';
import { metricsFor, startOperatorListener, stopOnSignals } from './lifecycle.js';
import { openLiveSite } from './open-site.js';
import { configFrom, withContentOption } from './options.js';

export function registerWorker(program: Command): void {
  withContentOption(program.command('worker'))
    .description(
      'send mail and issues, create issues on time, decide subscribe requests and receive bounces, without serving pages',
    )
    .option('--no-watch', 'do not watch the content folder for new and edited notes')
    .action(async (options: { content?: string; watch: boolean }) => {
      const config = configFrom(options);
      const log = createLogger(config.logLevel);
      const live = await openLiveSite(config, log, { pages: false });
      const metrics = await metricsFor(config);
      const services = await openServices(config, {
        live,
        log,
        clock: systemClock,
        ...(metrics ? { metrics } : {}),
      });
      await services.startWorkers();
      const { listener } = await startOperatorListener(config, {
        metrics,
        readiness: () => services.readiness(),
      });
      const watcher = options.watch ? watchContent(config.contentDir, () => live.reload()) : undefined;
      stopOnSignals(log, config, async () => {
        live.stop();
        await watcher?.close();
        await services.close();
        await listener?.close();
      });
      const health = listener
        ? `; health and metrics at ${listener.url}`
        : '; no health or metrics listener (set METRICS_PORT)';
      log.info(`worker running; mail goes to the ${services.transport.description}${health}`);
    });
}
