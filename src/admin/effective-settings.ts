// The configuration as the running process sees it, for the Settings page: every value an operator
// set or left to its default, with secrets shown only as "set" (a password inside a URL is masked in
// place, so the rest of the URL still shows where it points).
import type { Config } from '../config/load-config.js';

export interface Setting {
  name: string;
  value: string;
  /** A secret: the value shown is a mask, never the secret. */
  secret?: boolean;
}

const masked = '•••••• (set, hidden)';
const unset = '(not set)';

/** A URL with its password replaced by a mask; the user name stays, it says which account. */
export function maskUrlPassword(text: string): string {
  try {
    const url = new URL(text);
    if (!url.password) return text;
    url.password = 'xxxxx';
    return url.toString().replace(':xxxxx@', ':••••••@');
  } catch {
    return masked;
  }
}

const secretValue = (value: string | undefined): Setting['value'] => (value ? masked : unset);

export function effectiveSettings(config: Config): Setting[] {
  return [
    { name: 'SITE_URL', value: config.siteUrl },
    { name: 'HOST', value: config.host },
    { name: 'PORT', value: String(config.port) },
    { name: 'CONTENT_DIR', value: config.contentDir },
    { name: 'DATA_DIR', value: config.dataDir },
    { name: 'DATABASE_URL', value: maskUrlPassword(config.databaseUrl), secret: true },
    {
      name: 'SMTP_URL',
      value: config.smtpUrl ? maskUrlPassword(config.smtpUrl) : '(not set: mail goes to the local mailbox)',
      secret: true,
    },
    { name: 'MAIL_FROM', value: config.mailFrom ?? unset },
    {
      name: 'SECRET',
      value: config.secret ? masked : '(not set: generated, kept in the data folder)',
      secret: true,
    },
    { name: 'SMTP_POOL', value: String(config.smtpPool) },
    {
      name: 'SEND_RATE',
      value: config.sendRate === 0 ? '0 (as fast as the relay takes)' : String(config.sendRate),
    },
    { name: 'LEASE_SECONDS', value: String(config.leaseMs / 1000) },
    { name: 'DKIM_PRIVATE_KEY', value: secretValue(config.dkim?.privateKey), secret: true },
    { name: 'DKIM_SELECTOR', value: config.dkim?.selector ?? unset },
    { name: 'DKIM_DOMAIN', value: config.dkim?.domain ?? unset },
    {
      name: 'BOUNCE_SMTP_PORT',
      value: config.bounce.port === undefined ? unset : String(config.bounce.port),
    },
    { name: 'BOUNCE_SMTP_HOST', value: config.bounce.host },
    { name: 'BOUNCE_DOMAIN', value: config.bounce.domain },
    { name: 'SUBSCRIBE_RATE_LIMIT', value: `${config.subscribeRateLimit} per minute per address` },
    { name: 'SUBSCRIBE_ORIGINS', value: config.subscribeOrigins.join(', ') || unset },
    { name: 'TRUST_PROXY', value: String(config.trustProxy) },
    { name: 'METRICS_PORT', value: config.metrics.port === undefined ? unset : String(config.metrics.port) },
    { name: 'METRICS_HOST', value: config.metrics.host },
    { name: 'METRICS_TOKEN', value: secretValue(config.metrics.token), secret: true },
    { name: 'LEDGER_CHECKPOINT_FILE', value: config.ledgerCheckpointFile },
    { name: 'SHUTDOWN_SECONDS', value: String(config.shutdownMs / 1000) },
    { name: 'LOG_LEVEL', value: config.logLevel },
  ];
}
