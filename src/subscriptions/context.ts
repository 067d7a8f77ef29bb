// What every subscriptions action needs, passed in rather than reached for (STYLE.md: injected clock).
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { MailContext } from '../mail/mail-message.js';
import type { Keys } from './tokens.js';

export interface SubscriptionContext {
  db: Db;
  keys: Keys;
  clock: Clock;
  /** Read at send time, so that mails follow edits to site.yml without a restart. */
  mailContext: () => MailContext;
}

export interface Request {
  ip: string;
  userAgent: string;
}

export function personalLinks(c: Pick<SubscriptionContext, 'keys' | 'mailContext'>, subscriberKey: string) {
  const token = c.keys.personalToken(subscriberKey);
  const { siteUrl } = c.mailContext();
  return { manageUrl: `${siteUrl}/manage/${token}`, unsubscribeUrl: `${siteUrl}/unsubscribe/${token}` };
}
