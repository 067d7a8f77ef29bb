// Every page a reader can reach is valid HTML: the public pages of the shipped site and of the test
// fixtures, and the pages of subscribing, confirming and managing.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { htmlProblems } from './support/html-validator.js';
import { buildSiteApp, siteUrl } from './support/site-app.js';
import { linkIn } from './support/smtp-sink.js';
import { form, type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

const shipped = fileURLToPath(new URL('../content', import.meta.url));
const clock = new FakeClock('2026-11-25T12:00:00Z');

describe.each([
  ['the shipped site', shipped],
  ['the test fixtures', undefined],
])('HTML of %s', (_name, contentDir) => {
  let site: Awaited<ReturnType<typeof buildSiteApp>>;
  beforeAll(async () => {
    site = await buildSiteApp(clock, contentDir);
  });
  afterAll(async () => {
    site.live.stop();
    await site.app.close();
  });

  it('has no validation problem on any page, the not-found page included', async () => {
    const paths = [...site.live.pages.paths()].filter((path) =>
      site.live.pages.get(path)?.type.startsWith('text/html'),
    );
    expect(paths.length).toBeGreaterThan(8);
    for (const path of [...paths, '/no-such-page']) {
      const { body } = await site.app.inject({ method: 'GET', url: path });
      expect(await htmlProblems(body), path).toEqual([]);
    }
  });
});

describe('HTML of the subscription pages', () => {
  let t: SubscriptionApp;
  beforeAll(async () => {
    t = await startSubscriptionApp('sqlite');
  });
  afterAll(async () => t.close());

  it('has no validation problem from the form to the manage page', async () => {
    const pages: [string, string][] = [];
    const get = async (url: string) => {
      const { body } = await t.app.inject({ method: 'GET', url });
      pages.push([url, body]);
      return body;
    };
    const answer = await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: form,
      payload: 'email=reader%40example.com&form=hero',
    });
    await get(String(answer.headers.location));
    const bad = await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: form,
      payload: 'email=nope&form=hero',
    });
    pages.push(['bad address', bad.body]);
    await t.deliver();
    const confirm = t.path(linkIn(t.smtp.messages[0] ?? ({} as never), '/confirm/'));
    await get(confirm);
    const confirmed = await t.app.inject({
      method: 'POST',
      url: confirm,
      headers: form,
      payload: 'automatic=',
    });
    const welcome = String(confirmed.headers.location);
    await get(welcome);
    await get(confirm);
    const manage = welcome.replace('/welcome/', '/manage/');
    await get(manage);
    await get(manage.replace('/manage/', '/unsubscribe/'));
    await get('/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(pages.every(([, body]) => body.startsWith('<!doctype html>'))).toBe(true);
    for (const [url, body] of pages) expect(await htmlProblems(body), url.replace(siteUrl, '')).toEqual([]);
  });
});
