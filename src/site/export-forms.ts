// The subscribe forms of a static export: a static host cannot take a POST, so they either post to a
// running errorbudget on another origin, with the result page it sends readers back to, or are left out.
import { renderToString } from 'preact-render-to-string';
import { checkInbox, renderView } from '../subscriptions/pages.js';
import { UserError } from '../user-error.js';
import type { PageSet } from './build-pages.js';
import { searchPath } from './views/search-page.js';

/** `https://subscribe.example.com` → its /subscribe; undefined → no forms (null). */
export function subscribeActionFor(url: string | undefined, where: string): string | null {
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`"${url}" is not an address such as https://subscribe.example.com`, where);
  }
  if (!/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash || parsed.username)
    throw new UserError(
      `"${url}" must be a plain http(s) address such as https://subscribe.example.com`,
      where,
    );
  // The server's address, or its /subscribe itself: either way the forms post to /subscribe there.
  const base = parsed.pathname.replace(/\/+$/, '').replace(/\/subscribe$/, '');
  return `${parsed.origin}${base}/subscribe`;
}

/** The search of the errorbudget whose /subscribe the forms post to: the header's search box goes there,
 * so that it works without JavaScript too. */
export function serverSearchFor(subscribeAction: string): string {
  return subscribeAction.replace(/\/subscribe$/, searchPath);
}

/** The page a reader without JavaScript comes back to after subscribing on the other origin. */
export function addSubscribeResultPages(set: PageSet): void {
  set.pages.set('/subscribe/check-inbox', () => ({
    body: Buffer.from(
      `<!doctype html>\n${renderToString(renderView(set.chrome, '/subscribe/check-inbox', checkInbox))}`,
    ),
    type: 'text/html; charset=utf-8',
  }));
}
