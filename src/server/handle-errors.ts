// Turns failures into answers: a person's mistake gets a clear 4xx; a bug gets a 500 that leaks nothing.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSite } from '../site/live-site.js';
import { securityHeaders } from '../site/security-headers.js';
import { sendMessage } from '../site/send-message.js';
import { isUserError } from '../user-error.js';

export function handleErrors(app: FastifyInstance, live: LiveSite): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(securityHeaders);
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
