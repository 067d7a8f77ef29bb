// Unsubscribing: the page behind the link in every mail, and RFC 8058's one-click POST that mail
// providers send with no person watching.
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { LiveSite } from '../site/live-site.js';
import { requester, sendView } from './answer.js';
import { isOneClick } from './one-click-unsubscribe.js';
import * as pages from './pages.js';
import type { Subscriptions } from './subscriptions.js';

export function leaveRoutes(
  app: FastifyInstance,
  {
    live,
    subscriptions,
    limit,
  }: { live: LiveSite; subscriptions: Subscriptions; limit: RouteShorthandOptions },
) {
  app.get<{ Params: { token: string } }>('/unsubscribe/:token', limit, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return sendView(live, request, reply, pages.unknownLink);
    if (subscriber.status !== 'active' && subscriber.status !== 'pending') {
      return sendView(live, request, reply, pages.unsubscribed);
    }
    const masked = pages.maskEmail(subscriber.email);
    return sendView(live, request, reply, pages.unsubscribePage(request.params.token, masked));
  });

  app.post<{ Params: { token: string } }>('/unsubscribe/:token', limit, async (request, reply) => {
    const oneClick = isOneClick(request.body);
    const outcome = await subscriptions.unsubscribe(request.params.token, {
      ...requester(request),
      how: oneClick ? 'one-click (RFC 8058)' : 'unsubscribe page',
    });
    if (oneClick) {
      // A status and a word are all a mail provider needs.
      return reply
        .code(outcome === 'unknown' ? 404 : 200)
        .type('text/plain; charset=utf-8')
        .send(outcome === 'unknown' ? 'unknown link' : 'unsubscribed');
    }
    return sendView(live, request, reply, outcome === 'unknown' ? pages.unknownLink : pages.unsubscribed);
  });
}
