import { describe, expect, it } from 'vitest';
import { mailFrom, mailFromWarning } from './mail-from.js';

const relay = 'smtp://relay.example.com:587';

describe('the From of every mail', () => {
  it('defaults to the site title at newsletter@ the SITE_URL host, or is MAIL_FROM', () => {
    const config = { mailFrom: undefined, siteUrl: 'https://eb.example', smtpUrl: relay };
    expect(mailFrom(config, 'the "error" budget')).toBe('"the error budget" <newsletter@eb.example>');
    expect(mailFrom({ ...config, mailFrom: 'Me <me@example.com>' }, 'x')).toBe('Me <me@example.com>');
  });

  const cases = [
    {
      name: 'an IPv4 SITE_URL with a relay and no MAIL_FROM',
      config: { siteUrl: 'http://192.0.2.10:8080', smtpUrl: relay },
      warning:
        'MAIL_FROM is not set and SITE_URL (http://192.0.2.10:8080) is an IP address, so mail goes out from newsletter@192.0.2.10, which mail providers refuse: set MAIL_FROM to an address at your own domain, such as "Your site" <newsletter@example.com>',
    },
    {
      name: 'an IPv6 SITE_URL',
      config: { siteUrl: 'http://[2001:db8::1]', smtpUrl: relay },
      warning:
        'MAIL_FROM is not set and SITE_URL (http://[2001:db8::1]) is an IP address, so mail goes out from newsletter@2001:db8::1, which mail providers refuse: set MAIL_FROM to an address at your own domain, such as "Your site" <newsletter@example.com>',
    },
    { name: 'a domain', config: { siteUrl: 'https://eb.example', smtpUrl: relay }, warning: undefined },
    {
      name: 'an IP with MAIL_FROM set',
      config: { siteUrl: 'http://192.0.2.10', smtpUrl: relay, mailFrom: 'Me <me@example.com>' },
      warning: undefined,
    },
    {
      name: 'an IP whose mail stays in the local mailbox',
      config: { siteUrl: 'http://127.0.0.1:3000', smtpUrl: undefined },
      warning: undefined,
    },
  ];
  for (const { name, config, warning } of cases) {
    it(`warns ${warning ? '' : 'nothing '}for ${name}`, () => {
      expect(mailFromWarning({ mailFrom: undefined, ...config })).toBe(warning);
    });
  }
});
