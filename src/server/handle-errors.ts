// Turns failures into answers: a person's mistake gets a clear 4xx; a bug gets a 500 that leaks nothing.
// Answers Fastify and Node give before any hook runs (a bad URL, headers too large, a timeout) carry
// the same security headers as every other answer.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSite } from '../site/live-site.js';
import { securityHeaders } from '../site/security-headers.js';
import { sendMessage } from '../site/send-message.js';
import { isUserError } from '../user-error.js';

export function handleErrors(app: FastifyInstance, live: LiveSite): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(securityHeaders);
    // The same id as in the logs and on error pages, so an operator can find what a reader saw.
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = isUserError(error)
      ? 400
      : error.statusCode && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
    const message =
      status === 500
        ? `Something went wrong on our side. It has been logged as ${request.id}; please try again.`
        : isUserError(error)
          ? error.message
          : describeClientError(error);
    return sendMessage(live, request, reply, {
      status,
      title: status === 500 ? 'Something went wrong' : 'That did not work',
      message,
    });
  });
}

function describeClientError(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is too large.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type: send application/x-www-form-urlencoded or application/json.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'The request body is not valid JSON.';
    default:
      return error.message;
  }
}

/** Fastify's `frameworkErrors`: a URL the router cannot decode, and the like, before any hook has run. */
export function answerFrameworkError(live: LiveSite) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(securityHeaders);
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
    return sendMessage(live, request, reply, {
      status,
      title: 'That did not work',
      message: 'That address is not valid.',
    });
  };
}

/**
 * Node's `clientError`: a request that cannot be parsed or came too slowly never reaches Fastify.
 * A client that reset its connection is simply gone: nothing to answer, nothing to log.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = `${STATUS_CODES[status]}\n`;
  const headers = Object.entries({
    ...securityHeaders,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
  })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n${body}`);
  socket.destroy();
}
