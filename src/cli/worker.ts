// `errorbudget worker`: the background work without the web server (outbox, issues, the schedule,
// bounces). Any number of workers and `serve` processes can share one PostgreSQL database.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { watchContent } from '../content/watch-content.js';
import { createLogger } from '../observability/logger.js';
import { openServices } from '../server/open-services.js';
import { openLiveSite } from './open-site.js';
import { configFrom, withContentOption } from './options.js';

export function registerWorker(program: Command): void {
  withContentOption(program.command('worker'))
    .description('send mail and issues, create issues on time and receive bounces, without serving pages')
    .option('--no-watch', 'do not watch the content folder for new and edited notes')
    .action(async (options: { content?: string; watch: boolean }) => {
      const config = configFrom(options);
      const log = createLogger(config.logLevel);
      const live = await openLiveSite(config, log, { pages: false });
      const services = await openServices(config, { live, log, clock: systemClock });
      await services.startWorkers();
      const watcher = options.watch ? watchContent(config.contentDir, () => live.reload()) : undefined;
      const shutdown = async () => {
        live.stop();
        await watcher?.close();
        await services.close();
        log.info('worker stopped');
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      log.info(`worker running; mail goes to the ${services.transport.description}`);
    });
}
