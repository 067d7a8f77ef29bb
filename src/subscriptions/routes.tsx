// Subscribe, confirm, unsubscribe and self-service. Answers are pages for browsers and JSON for the
// form's script; the subscribe answer never reveals whether an address is known.
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderToString } from 'preact-render-to-string';
import type { Site } from '../content/schema.js';
import type { LiveSite } from '../site/live-site.js';
import { wantsJson } from '../site/send-message.js';
import { normaliseEmail } from './email-address.js';
import * as pages from './pages.js';
import type { Subscriptions } from './subscriptions.js';

export interface RateLimits {
  /** Subscribe requests per IP address per minute. */
  subscribePerMinute: number;
  /** Requests to token links per IP address per minute: enough for people, far too few to guess. */
  linksPerMinute: number;
}

export const defaultRateLimits: RateLimits = { subscribePerMinute: 10, linksPerMinute: 60 };

/** What a confirmation link that can no longer confirm shows. */
const spentLink = { used: pages.alreadyConfirmed, expired: pages.expiredLink, unknown: pages.unknownLink };

const forms = new Set(['hero', 'newsletter', 'note', 'retry', 'renew']);
const checkInboxMessage =
  'Check your inbox: if the address can receive mail, a confirmation link is on its way. It works for 48 hours.';

/** The words beside each form, which are what a person agrees to by subscribing there. */
function wordingFor(site: Site, form: string): string {
  return form === 'hero'
    ? `${site.hero.text} ${site.hero.smallPrint}`
    : `${site.newsletter.title}. ${site.newsletter.text} ${site.newsletter.smallPrint}`;
}

export async function subscriptionRoutes(
  app: FastifyInstance,
  { live, subscriptions, limits }: { live: LiveSite; subscriptions: Subscriptions; limits: RateLimits },
) {
  await app.register(formbody, { bodyLimit: 4096 });
  // RFC 8058 allows the one-click POST as multipart; only its one field matters, so it is read as text.
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, { multipart: body }),
  );
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many requests from your address. Please try again in ${context.after}.`), {
        statusCode: 429,
      }),
  });
  const perMinute = (max: number) => ({ config: { rateLimit: { max, timeWindow: 60_000 } } });
  const links = perMinute(limits.linksPerMinute);

  const send = (request: FastifyRequest, reply: FastifyReply, view: pages.View) => {
    const page = pages.renderView(live.current.chrome, request.url, view);
    return reply
      .code(view.status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-robots-tag', 'noindex')
      .send(`<!doctype html>\n${renderToString(page)}`);
  };
  const who = (request: FastifyRequest) => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? '',
  });
  const field = (body: unknown, name: string): unknown =>
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;

  app.post('/subscribe', perMinute(limits.subscribePerMinute), async (request, reply) => {
    const json = wantsJson(request);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      const problem = 'Send the subscribe form: an email field, as a form or a JSON object.';
      return json
        ? reply.code(400).send({ error: problem })
        : send(request, reply, pages.badAddress(problem));
    }
    const accepted = () =>
      json
        ? reply.code(200).send({ message: checkInboxMessage })
        : reply.redirect('/subscribe/check-inbox', 303);
    // People never see the honeypot; whatever fills it in gets the usual answer and nothing happens.
    const honeypot = field(body, 'website');
    if (typeof honeypot === 'string' && honeypot !== '') return accepted();
    const address = normaliseEmail(field(body, 'email'));
    if (!address.ok) {
      return json
        ? reply.code(400).send({ error: address.problem })
        : send(request, reply, pages.badAddress(address.problem));
    }
    const requested = field(body, 'form');
    const form = typeof requested === 'string' && forms.has(requested) ? requested : 'api';
    await subscriptions.request({
      email: address.email,
      form,
      wording: wordingFor(live.snapshot.site, form),
      ...who(request),
    });
    return accepted();
  });

  app.get('/subscribe/check-inbox', (request, reply) => send(request, reply, pages.checkInbox));

  app.get<{ Params: { token: string } }>('/confirm/:token', links, async (request, reply) => {
    const { token } = request.params;
    const state = await subscriptions.confirmationState(token);
    return send(request, reply, state === 'valid' ? pages.confirmPage(token, true) : spentLink[state]);
  });

  // The mail's hidden links. Only software that fetches every link ever comes here.
  app.get<{ Params: { token: string; word: string }; Querystring: { c?: string } }>(
    '/confirm/:token/:word',
    links,
    async (request, reply) => {
      if (typeof request.query.c === 'string') await subscriptions.noteCanary(request.query.c);
      return send(request, reply, pages.canaryPage);
    },
  );

  app.post<{ Params: { token: string } }>('/confirm/:token', links, async (request, reply) => {
    const { token } = request.params;
    const outcome = await subscriptions.confirm(token, {
      ...who(request),
      automatic: field(request.body, 'automatic') === '1',
    });
    const view =
      outcome.state === 'confirmed'
        ? pages.welcomePage(`/manage/${outcome.personalToken}`)
        : outcome.state === 'needs-click'
          ? pages.confirmPage(token, false)
          : spentLink[outcome.state];
    return send(request, reply, view);
  });

  app.get<{ Params: { token: string } }>('/unsubscribe/:token', links, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return send(request, reply, pages.unknownLink);
    if (subscriber.status !== 'active' && subscriber.status !== 'pending') {
      return send(request, reply, pages.unsubscribed);
    }
    return send(
      request,
      reply,
      pages.unsubscribePage(request.params.token, pages.maskEmail(subscriber.email)),
    );
  });

  app.post<{ Params: { token: string } }>('/unsubscribe/:token', links, async (request, reply) => {
    const multipart = field(request.body, 'multipart');
    const oneClick =
      field(request.body, 'List-Unsubscribe') === 'One-Click' ||
      (typeof multipart === 'string' && /name="List-Unsubscribe"\r?\n\r?\nOne-Click/.test(multipart));
    const outcome = await subscriptions.unsubscribe(request.params.token, {
      ...who(request),
      how: oneClick ? 'one-click (RFC 8058)' : 'unsubscribe page',
    });
    if (oneClick) {
      // Mail providers post this with no person watching: a status and a word are all they need.
      const status = outcome === 'unknown' ? 404 : 200;
      return reply
        .code(status)
        .type('text/plain; charset=utf-8')
        .send(outcome === 'unknown' ? 'unknown link' : 'unsubscribed');
    }
    return send(request, reply, outcome === 'unknown' ? pages.unknownLink : pages.unsubscribed);
  });

  app.get<{ Params: { token: string } }>('/manage/:token', links, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return send(request, reply, pages.unknownLink);
    return send(
      request,
      reply,
      pages.managePage(request.params.token, {
        email: subscriber.email,
        status: subscriber.status,
        since: subscriber.confirmed_at ?? subscriber.created_at,
        formatDate: live.current.chrome.formatDate,
      }),
    );
  });

  app.get<{ Params: { token: string } }>('/manage/:token/data.json', links, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return send(request, reply, pages.unknownLink);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="my-data.json"')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(await subscriptions.exportData(subscriber), null, 2));
  });

  app.post<{ Params: { token: string } }>('/manage/:token/erase', links, async (request, reply) => {
    const subscriber = await subscriptions.findByToken(request.params.token);
    if (!subscriber) return send(request, reply, pages.unknownLink);
    if (field(request.body, 'confirm') !== 'yes') return send(request, reply, pages.eraseNeedsTick);
    await subscriptions.erase(subscriber);
    return send(request, reply, pages.erased);
  });
}
