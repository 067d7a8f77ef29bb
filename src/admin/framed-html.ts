// A mail's HTML part, answered for the admin's sandboxed frame only. Mail HTML is someone else's markup
// (a bounce, a reply, our own issue): its own CSP sandboxes it even if opened directly, runs no script,
// loads nothing from another host, and lets it be framed by our pages alone. Its inline styles are how
// mail is styled, and stay harmless inside the sandbox.
import type { FastifyReply } from 'fastify';
import { securityHeaders } from '../site/security-headers.js';

const framedMailPolicy = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
  // Same origin only so that the site's own images load (its answers are same-origin only); with no
  // script allowed, the origin gives the mail nothing to act with.
  'sandbox allow-same-origin',
].join('; ');

/**
 * Images of the site itself (the mail names them by the site's absolute URL) are loaded from this
 * server, so the admin sees them even where SITE_URL names another host; any other host stays blocked.
 */
export function sendFramedHtml(reply: FastifyReply, html: string, siteUrl: string) {
  const local = html.split(`src="${siteUrl}/`).join('src="/');
  return reply
    .header('content-security-policy', framedMailPolicy)
    .header('x-frame-options', 'SAMEORIGIN')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .type('text/html; charset=utf-8')
    .send(local);
}

/** The site's strict CSP, plus frames from this site: for the pages that show a mail's HTML part. */
const pagePolicyWithFrames = `${securityHeaders['content-security-policy']}; frame-src 'self'`;

export function allowMailFrames(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', pagePolicyWithFrames);
}
