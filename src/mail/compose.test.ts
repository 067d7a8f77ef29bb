import { describe, expect, it } from 'vitest';
import { confirmationMail, welcomeMail } from './compose.js';

const context = {
  siteTitle: 'the error budget',
  siteUrl: 'https://eb.test',
  postalAddress: 'PO Box 1, London',
  language: 'en-GB',
};

describe('transactional mails', () => {
  it('fills each mail with its own recipient and links, escaped, from one cached template', () => {
    const first = confirmationMail(context, "o'brien&co@example.com", {
      confirmUrl: 'https://eb.test/confirm/one',
      canaryUrls: ['https://eb.test/confirm/one/view?c=a.b', 'https://eb.test/confirm/one/help?c=a.c'],
    });
    const second = confirmationMail(context, 'second@example.com', {
      confirmUrl: 'https://eb.test/confirm/two',
      canaryUrls: ['https://eb.test/confirm/two/view?c=d.e', 'https://eb.test/confirm/two/help?c=d.f'],
    });
    expect(first.html).toContain('o&#39;brien&amp;co@example.com');
    expect(first.html).toContain('href="https://eb.test/confirm/one"');
    expect(second.html).toContain('href="https://eb.test/confirm/two"');
    expect(second.html).not.toMatch(/brien|confirm\/one/);
    expect(second.html).not.toContain('__eb_slot');
    expect(second.text).toContain('https://eb.test/confirm/two\n');
  });

  it('inlines the styles, hides the canary links and loads nothing from anywhere', () => {
    const mail = confirmationMail(context, 'a@example.com', {
      confirmUrl: 'https://eb.test/confirm/x',
      canaryUrls: ['https://eb.test/confirm/x/view?c=1.2'],
    });
    expect(mail.html).not.toContain('<style');
    expect(mail.html).toMatch(
      /<a class="canary" href="https:\/\/eb\.test\/confirm\/x\/view\?c=1\.2" style="display: none; mso-hide: all;?"/,
    );
    expect(mail.html).not.toMatch(/<img|src=|url\(/);
  });

  it("speaks the site's language: each mail's html lang is site.yml's language tag", () => {
    const links = {
      manageUrl: 'https://eb.test/manage/k.m',
      unsubscribeUrl: 'https://eb.test/unsubscribe/k.m',
    };
    const confirmation = confirmationMail({ ...context, language: 'de-AT' }, 'a@example.com', {
      confirmUrl: 'https://eb.test/confirm/x',
      canaryUrls: [],
    });
    expect(confirmation.html).toContain('<html lang="de-AT">');
    expect(welcomeMail(context, 'a@example.com', links).html).toContain('<html lang="en-GB">');
  });

  it('puts the one-click unsubscribe headers and the personal links in the welcome mail', () => {
    const links = {
      manageUrl: 'https://eb.test/manage/k.m',
      unsubscribeUrl: 'https://eb.test/unsubscribe/k.m',
    };
    const mail = welcomeMail(context, 'a@example.com', links);
    expect(mail.headers).toEqual({
      'List-Unsubscribe': '<https://eb.test/unsubscribe/k.m>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(mail.html).toContain('href="https://eb.test/manage/k.m"');
    expect(mail.text).toContain('Unsubscribe in one click: https://eb.test/unsubscribe/k.m');
    expect(mail.text).toContain('PO Box 1, London');
  });
});
