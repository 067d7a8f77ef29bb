// Answers with a short message: as a styled page to a browser, as JSON to a script.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderToString } from 'preact-render-to-string';
import type { LiveSite } from './live-site.js';
import { MessagePage } from './views/message-page.js';

export interface Message {
  status: number;
  title: string;
  message: string;
}

export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return (
    request.headers['content-type']?.startsWith('application/json') === true ||
    (accept.includes('application/json') && !accept.includes('text/html'))
  );
}

export function sendMessage(
  live: LiveSite,
  request: FastifyRequest,
  reply: FastifyReply,
  { status, title, message }: Message,
) {
  if (wantsJson(request)) return reply.code(status).send(status < 400 ? { message } : { error: message });
  const page = MessagePage({
    chrome: live.current.chrome,
    title,
    path: request.url,
    children: (
      <>
        <p>{message}</p>
        {/* A 500's message already names it; for others it is what to quote when asking for help. */}
        {status >= 400 && status < 500 ? <p class="reference">Reference: {request.id}</p> : null}
      </>
    ),
  });
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(`<!doctype html>\n${renderToString(page)}`);
}
