// What every admin page is given: the services behind the site, the live content, the configuration,
// the clock and the logger. `serve` builds it; tests get it from test/support/admin-app.ts.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load-config.js';
import type { Metrics } from '../observability/metrics.js';
import type { Services } from '../server/open-services.js';
import type { LiveSite } from '../site/live-site.js';

export interface AdminDependencies {
  services: Services;
  live: LiveSite;
  config: Config;
  clock: Clock;
  log: Logger;
  metrics?: Metrics;
}
