// What `serve` and `worker` share around their work: the operators' listener and metrics, and a stop
// on SIGTERM or SIGINT that finishes what is in flight but never takes longer than SHUTDOWN_SECONDS.
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Metrics } from '../observability/metrics.js';
import { type MetricsServer, startMetricsServer } from '../observability/metrics-server.js';
import type { OperatorEndpoints } from '../observability/operator-endpoints.js';
import type { ReadinessReport } from '../observability/readiness.js';

/**
 * Metrics cost a little on every page: they are kept only where someone can read them. Loaded on
 * demand, so that the other commands do not load prom-client.
 */
export async function metricsFor(config: Config): Promise<Metrics | undefined> {
  if (config.metrics.port === undefined && config.metrics.token === undefined) return undefined;
  const { Metrics } = await import('../observability/metrics.js');
  return new Metrics();
}

export async function startOperatorListener(
  config: Config,
  endpoints: { metrics: Metrics | undefined; readiness(): Promise<ReadinessReport> },
): Promise<{ operator: OperatorEndpoints; listener: MetricsServer | undefined }> {
  const operator = { ...endpoints, token: config.metrics.token };
  const { port, host } = config.metrics;
  const listener = port === undefined ? undefined : await startMetricsServer(operator, { host, port });
  return { operator, listener };
}

/**
 * Stops once on the first signal; a second one ends the process at once (Node's default). Whatever is
 * still running when the time is up is abandoned: leases let another process take it over.
 */
export function stopOnSignals(
  log: Logger,
  config: Pick<Config, 'shutdownMs'>,
  stop: () => Promise<void>,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing the requests and mails in flight');
    const deadline = setTimeout(() => {
      log.error({ shutdownSeconds: config.shutdownMs / 1000 }, 'did not stop in time; exiting anyway');
      process.exit(1);
    }, config.shutdownMs);
    deadline.unref();
    stop().then(
      () => {
        log.info('stopped');
        // Nothing is left to finish: an idle handle somewhere must not keep the process alive.
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
