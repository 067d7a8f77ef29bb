// /admin/mailbox: the local mailbox (where mail goes without SMTP_URL) as a mail client shows it.
import type { FastifyPluginAsync } from 'fastify';
import { mailboxDir } from '../server/open-services.js';
import { refuseWith } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { allowMailFrames, sendFramedHtml } from './framed-html.js';
import { chromeOf } from './page-input.js';
import { sendAdminPage } from './send-admin-page.js';
import { MailboxMessagePage, MailboxPage } from './views/mailbox-page.js';

const perPage = 50;

export const mailboxPages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  const dir = mailboxDir(deps.config);
  // Loaded on first use: the mail parser is heavy, and a site with a relay may never open this page.
  const mailbox = () => import('../mail/mailbox.js');
  const relay = deps.config.smtpUrl ? deps.services.transport.description : undefined;

  app.get('/mailbox', async (request, reply) => {
    const { before } = request.query as { before?: unknown };
    if (before !== undefined && (typeof before !== 'string' || !/^[\w@.-]{1,300}$/.test(before)))
      return refuseWith(request, reply, 400, 'That did not work', 'before: not the name of a mail.');
    const page = await (await mailbox()).readMailboxPage(dir, before, perPage);
    return sendAdminPage(reply, MailboxPage({ chrome: chromeOf(request), page, relay }));
  });

  app.get('/mailbox/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    const mail = await (await mailbox()).readMailboxMessage(dir, file);
    if (!mail) return refuseWith(request, reply, 404, 'Not found', 'There is no such mail in the mailbox.');
    return sendAdminPage(
      allowMailFrames(reply),
      MailboxMessagePage({ chrome: chromeOf(request), file, mail }),
    );
  });

  app.get('/mailbox/:file/html', async (request, reply) => {
    const { file } = request.params as { file: string };
    const mail = await (await mailbox()).readMailboxMessage(dir, file);
    if (!mail) return reply.code(404).type('text/plain; charset=utf-8').send('There is no such mail.');
    return sendFramedHtml(reply, mail.html ?? '', deps.config.siteUrl);
  });
};
