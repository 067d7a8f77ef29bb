// The confirmation link: GET shows a page whose button (or script) POSTs; only the POST confirms, so
// a link scanner that fetches it confirms nobody. The hidden canary links mark the mail as scanned.
// The POST answers with a redirect to a page (POST-redirect-GET): reloading it never posts again.
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
    // Once the mail was scanned, the page's script would be refused anyway: it waits for a click.
    const view =
      state === 'valid' || state === 'scanned'
        ? pages.confirmPage(token, state === 'valid')
        : spentLink[state];
    return sendView(live, request, reply, view);
  });

  // Where a confirmation lands: the welcome, while the subscription is active; otherwise its status.
  app.get<{ Params: { token: string } }>('/welcome/:token', limit, async (request, reply) => {
    const { token } = request.params;
    const subscriber = await subscriptions.findByToken(token);
    if (!subscriber) return sendView(live, request, reply, pages.unknownLink);
    if (subscriber.status !== 'active') return reply.redirect(`/manage/${token}`, 303);
    return sendView(live, request, reply, pages.welcomePage(`/manage/${token}`));
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
    // A token that never existed is bad input: its 404 at once, not a redirect to one.
    if (outcome.state === 'unknown') return sendView(live, request, reply, pages.unknownLink);
    // Every other outcome (a click needed, a spent link) is what the link's own page now shows.
    const next = outcome.state === 'confirmed' ? `/welcome/${outcome.personalToken}` : `/confirm/${token}`;
    return reply.header('cache-control', 'no-store').redirect(next, 303);
  });
}
