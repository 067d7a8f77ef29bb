// The confirmation link: GET shows a page whose button (or script) POSTs; only the POST confirms, so
// a link scanner that fetches it confirms nobody. The hidden canary links mark the mail as scanned.
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { LiveSite } from '../site/live-site.js';
import { requester, sendView } from './answer.js';
import * as pages from './pages.js';
import type { Subscriptions } from './subscriptions.js';

/** What a confirmation link that can no longer confirm shows. */
const spentLink = { used: pages.alreadyConfirmed, expired: pages.expiredLink, unknown: pages.unknownLink };

/** `automatic=1` is the page's own script; anything else (or no body) is a person's click. */
const confirmBody = z.object({ automatic: z.unknown() }).catch({ automatic: undefined });
const canaryQuery = z.object({ c: z.string() });

export function confirmRoutes(
  app: FastifyInstance,
  {
    live,
    subscriptions,
    limit,
  }: { live: LiveSite; subscriptions: Subscriptions; limit: RouteShorthandOptions },
) {
  app.get<{ Params: { token: string } }>('/confirm/:token', limit, async (request, reply) => {
    const { token } = request.params;
    const state = await subscriptions.confirmationState(token);
    return sendView(
      live,
      request,
      reply,
      state === 'valid' ? pages.confirmPage(token, true) : spentLink[state],
    );
  });

  // The mail's hidden links. Only software that fetches every link ever comes here.
  app.get('/confirm/:token/:word', limit, async (request, reply) => {
    const query = canaryQuery.safeParse(request.query);
    if (query.success) await subscriptions.noteCanary(query.data.c);
    return sendView(live, request, reply, pages.canaryPage);
  });

  app.post<{ Params: { token: string } }>('/confirm/:token', limit, async (request, reply) => {
    const { token } = request.params;
    const outcome = await subscriptions.confirm(token, {
      ...requester(request),
      automatic: confirmBody.parse(request.body ?? {}).automatic === '1',
    });
    const view =
      outcome.state === 'confirmed'
        ? pages.welcomePage(`/manage/${outcome.personalToken}`)
        : outcome.state === 'needs-click'
          ? pages.confirmPage(token, false)
          : spentLink[outcome.state];
    return sendView(live, request, reply, view);
  });
}
