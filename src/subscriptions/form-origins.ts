// Static copies of the site (`errorbudget export --subscribe-url`) post their subscribe forms here from
// another origin. Those origins are named one by one in SUBSCRIBE_ORIGINS; they may reach POST
// /subscribe only, by form or by the enhancing script (CORS), and nothing else of a person's
// subscription. Every other cross-site POST is still refused by isFromThisSite.
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const subscribePath = '/subscribe';

/** The form's origin when it is one of the allowed ones and the request is the subscribe endpoint. */
export function allowedFormOrigin(request: FastifyRequest, allowed: readonly string[]): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || request.url !== subscribePath) return undefined;
  return allowed.includes(origin) ? origin : undefined;
}

/** CORS for the enhancing script's JSON POST: no credentials (readers have no cookies), one route. */
export async function subscribeCors(app: FastifyInstance, allowed: readonly string[]): Promise<void> {
  if (allowed.length === 0) return;
  await app.register(cors, {
    delegator: (request, callback) =>
      callback(
        null,
        allowedFormOrigin(request, allowed)
          ? {
              origin: [...allowed],
              methods: ['POST'],
              allowedHeaders: ['content-type', 'accept'],
              maxAge: 600,
              credentials: false,
            }
          : { origin: false },
      ),
  });
}
