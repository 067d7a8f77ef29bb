// Sends an admin page: rendered to a string, never cached, never indexed, under the site's strict CSP
// (set for every response by server/handle-errors.ts).
import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Headers of every admin response, pages, redirects and errors alike. */
export const adminHeaders: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
});

// biome-ignore lint/suspicious/noExplicitAny: any page component's element, whatever its props.
export function sendAdminPage(reply: FastifyReply, page: VNode<any>, status = 200) {
  return reply
    .code(status)
    .headers(adminHeaders)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>\n${renderToString(page)}`);
}
