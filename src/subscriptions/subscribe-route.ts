// POST /subscribe: validate, record, answer. The answer and the work behind it are the same for every
// address; deciding what the request means happens later, in the request worker.
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { Site } from '../content/schema.js';
import type { LiveSite } from '../site/live-site.js';
import { wantsJson } from '../site/send-message.js';
import { requester, sendView } from './answer.js';
import { normaliseEmail } from './email-address.js';
import { allowedFormOrigin } from './form-origins.js';
import * as pages from './pages.js';
import type { Subscriptions } from './subscriptions.js';

const forms = new Set(['hero', 'newsletter', 'note', 'retry', 'renew']);

/** The form's fields. The address is checked by normaliseEmail, whose messages name what is wrong. */
const subscribeBody = z.object({
  email: z.unknown().optional(),
  form: z
    .unknown()
    .optional()
    .transform((form) => (typeof form === 'string' && forms.has(form) ? form : 'api')),
  /** The honeypot: people never see it. */
  website: z.unknown().optional(),
});

const checkInboxMessage =
  'Check your inbox: if the address can receive mail, a confirmation link is on its way. It works for 48 hours.';
const notAForm = 'Send the subscribe form: an email field, as a form or a JSON object.';

/** The words beside each form, which are what a person agrees to by subscribing there. */
function wordingFor(site: Site, form: string): string {
  return form === 'hero'
    ? `${site.hero.text} ${site.hero.smallPrint}`
    : `${site.newsletter.title}. ${site.newsletter.text} ${site.newsletter.smallPrint}`;
}

export function subscribeRoute(
  app: FastifyInstance,
  {
    live,
    subscriptions,
    limit,
    formOrigins,
  }: {
    live: LiveSite;
    subscriptions: Subscriptions;
    limit: RouteShorthandOptions;
    formOrigins: readonly string[];
  },
) {
  app.post('/subscribe', limit, async (request, reply) => {
    const json = wantsJson(request);
    const refuse = (problem: string) =>
      json
        ? reply.code(400).send({ error: problem })
        : sendView(live, request, reply, pages.badAddress(problem));
    // A form on a static copy of the site goes back there, to that copy's own result page.
    const back = allowedFormOrigin(request, formOrigins) ?? '';
    const accepted = () =>
      json
        ? reply.code(200).send({ message: checkInboxMessage })
        : reply.redirect(`${back}/subscribe/check-inbox`, 303);

    const body = subscribeBody.safeParse(request.body);
    if (!body.success) return refuse(notAForm);
    // Whatever fills in the honeypot gets the usual answer and nothing happens.
    const { website, form } = body.data;
    if (typeof website === 'string' && website !== '') return accepted();
    const address = normaliseEmail(body.data.email);
    if (!address.ok) return refuse(address.problem);
    await subscriptions.record({
      email: address.email,
      form,
      wording: wordingFor(live.snapshot.site, form),
      ...requester(request),
    });
    return accepted();
  });

  app.get('/subscribe/check-inbox', (request, reply) => sendView(live, request, reply, pages.checkInbox));
}
