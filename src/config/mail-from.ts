// The `From` of every mail: MAIL_FROM, or the site's title at newsletter@ the SITE_URL's host. A host
// that is an IP address makes that default an address no mail provider accepts mail from.
import { isIP } from 'node:net';
import type { Config } from './load-config.js';

type MailFromConfig = Pick<Config, 'mailFrom' | 'siteUrl' | 'smtpUrl'>;

const hostOf = (siteUrl: string) => new URL(siteUrl).hostname.replace(/^\[|\]$/g, '');

export function mailFrom(config: MailFromConfig, siteTitle: string): string {
  return (
    config.mailFrom ?? `"${siteTitle.replace(/"/g, '')}" <newsletter@${new URL(config.siteUrl).hostname}>`
  );
}

/**
 * One line for the log at start, when mail leaves through a relay from the default address of a SITE_URL
 * that is a bare IP. Mail kept in the local mailbox goes nowhere, so a local trial is not warned.
 */
export function mailFromWarning(config: MailFromConfig): string | undefined {
  if (config.mailFrom || !config.smtpUrl) return undefined;
  const host = hostOf(config.siteUrl);
  if (isIP(host) === 0) return undefined;
  return `MAIL_FROM is not set and SITE_URL (${config.siteUrl}) is an IP address, so mail goes out from newsletter@${host}, which mail providers refuse: set MAIL_FROM to an address at your own domain, such as "Your site" <newsletter@example.com>`;
}
