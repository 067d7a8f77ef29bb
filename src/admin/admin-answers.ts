// The admin's refusals: a page and a redirect for a browser, a status and JSON for a script, an
// EventSource or anything that did not ask for HTML.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { adminHeaders, sendAdminPage } from './send-admin-page.js';
import { AdminMessagePage } from './views/admin-message-page.js';

export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** To the login page (a browser) or 401 (anything else). */
export function refuseUnauthenticated(request: FastifyRequest, reply: FastifyReply) {
  if (!wantsHtml(request))
    return reply.code(401).headers(adminHeaders).send({ error: 'Log in to the admin first.' });
  return reply.headers(adminHeaders).redirect('/admin/login', 303);
}

export function refuseWith(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
) {
  if (!wantsHtml(request)) return reply.code(status).headers(adminHeaders).send({ error: message });
  return sendAdminPage(reply, h(AdminMessagePage, { title, message }), status);
}

export const refuseCsrf = (request: FastifyRequest, reply: FastifyReply) =>
  refuseWith(
    request,
    reply,
    403,
    'Form expired',
    'This form has expired or did not come from this admin. Go back, reload the page and try again.',
  );
