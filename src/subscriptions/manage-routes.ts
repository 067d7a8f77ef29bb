// Self-service behind a subscriber's personal link: see what is kept, download it, erase it.
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { LiveSite } from '../site/live-site.js';
import { sendView } from './answer.js';
import * as pages from './pages.js';
import type { Subscriptions } from './subscriptions.js';

/** Erasing cannot be undone, so the form's tick box must say yes. */
const eraseBody = z.object({ confirm: z.literal('yes') });

export function manageRoutes(
  app: FastifyInstance,
  {
    live,
    subscriptions,
    limit,
  }: { live: LiveSite; subscriptions: Subscriptions; limit: RouteShorthandOptions },
) {
  app.get<{ Params: { token: string } }>('/manage/:token', limit, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return sendView(live, request, reply, pages.unknownLink);
    const view = pages.managePage(request.params.token, {
      email: subscriber.email,
      status: subscriber.status,
      since: subscriber.confirmed_at ?? subscriber.created_at,
      formatDate: live.current.chrome.formatDate,
    });
    return sendView(live, request, reply, view);
  });

  app.get<{ Params: { token: string } }>('/manage/:token/data.json', limit, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return sendView(live, request, reply, pages.unknownLink);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="my-data.json"')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(await subscriptions.exportData(subscriber), null, 2));
  });

  app.post<{ Params: { token: string } }>('/manage/:token/erase', limit, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return sendView(live, request, reply, pages.unknownLink);
    if (!eraseBody.safeParse(request.body).success)
      return sendView(live, request, reply, pages.eraseNeedsTick);
    // A second erasure racing this one finds the person gone: the same page, nothing written twice.
    await subscriptions.erase(subscriber);
    return sendView(live, request, reply, pages.erased);
  });
}
