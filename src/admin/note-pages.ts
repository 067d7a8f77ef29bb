// /admin/notes: every note with its state; one note as the site shows it (a signed preview link for a
// draft or scheduled note, made by the preview module) and as its email will show it; a marked test
// copy of that email; and "send now" for a published note whose issue was not made yet.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ensureSecret } from '../config/ensure-secret.js';
import { sendTestCopy, startIssueNow } from '../server/issue-actions.js';
import { PreviewSigner } from '../site/preview-link.js';
import { noteUrl } from '../site/views/chrome.js';
import { isUserError } from '../user-error.js';
import { recordAdminAction } from './admin-actions.js';
import { refuseWith } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { allowMailFrames, sendFramedHtml } from './framed-html.js';
import { noteEmail } from './note-email.js';
import { type NoteRow, noteRows } from './note-states.js';
import { chromeOf, formField, noticeOf } from './page-input.js';
import { sendAdminPage } from './send-admin-page.js';
import { NotePage } from './views/note-page.js';
import { NotesPage } from './views/notes-page.js';

/** Long enough to read a draft; a preview link is a bearer credential, so not longer. */
const previewLifetimeMs = 3600_000;

const notices = {
  'test-sent': 'A marked test copy was sent. It belongs to no issue and is not counted.',
} as const;

export const notePages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  const { services, live, config, clock } = deps;
  const signer = new PreviewSigner(ensureSecret(config));

  const rows = () => noteRows(services.db.kysely, live.snapshot.notes, clock.now());
  const rowOf = async (request: FastifyRequest) => {
    const { slug } = request.params as { slug: string };
    return (await rows()).find((row) => row.slug === slug);
  };

  const siteLink = (row: NoteRow) =>
    row.state === 'published'
      ? { href: noteUrl(row), label: 'Open it on the site' }
      : {
          href: signer.path(row.slug, new Date(clock.now().getTime() + previewLifetimeMs)),
          label: 'Preview it as the site will show it (a signed link, valid for an hour)',
        };

  const notePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    row: NoteRow,
    more: {
      notice?: string | undefined;
      problem?: string;
      testForm?: { address: string; problem: string };
    },
    status = 200,
  ) => {
    const mail = await noteEmail(services, live, config.siteUrl, row.slug, request.admin.email, clock.now());
    const page = NotePage({ chrome: chromeOf(request), note: row, siteLink: siteLink(row), mail, ...more });
    return sendAdminPage(allowMailFrames(reply), page, status);
  };

  app.get('/notes', async (request, reply) => {
    return sendAdminPage(reply, NotesPage({ chrome: chromeOf(request), rows: await rows() }));
  });

  app.get('/notes/:slug', async (request, reply) => {
    const row = await rowOf(request);
    if (!row) return refuseWith(request, reply, 404, 'Not found', 'There is no note with this slug.');
    return notePage(request, reply, row, { notice: noticeOf(request, notices) });
  });

  app.get('/notes/:slug/email.html', async (request, reply) => {
    const row = await rowOf(request);
    if (!row) return reply.code(404).type('text/plain; charset=utf-8').send('There is no such note.');
    const mail = await noteEmail(services, live, config.siteUrl, row.slug, request.admin.email, clock.now());
    return sendFramedHtml(reply, mail.html ?? '', config.siteUrl);
  });

  app.post('/notes/:slug/test', async (request, reply) => {
    const row = await rowOf(request);
    if (!row) return refuseWith(request, reply, 404, 'Not found', 'There is no note with this slug.');
    const address = formField(request, 'address');
    try {
      await sendTestCopy(services, live, config.siteUrl, row.slug, address, clock.now(), 'address');
    } catch (error) {
      if (!isUserError(error)) throw error;
      return notePage(request, reply, row, { testForm: { address, problem: error.message } }, 400);
    }
    await recordAdminAction(services.db, request.admin, 'note_test_sent', { note: row.slug });
    return reply.redirect(`/admin/notes/${row.slug}?done=test-sent`, 303);
  });

  app.post('/notes/:slug/send-now', async (request, reply) => {
    const row = await rowOf(request);
    if (!row) return refuseWith(request, reply, 404, 'Not found', 'There is no note with this slug.');
    let issueId: number;
    try {
      const issue = await startIssueNow(services, live, config.siteUrl, row.slug, clock.now());
      issueId = Number(issue.id);
    } catch (error) {
      if (!isUserError(error)) throw error;
      return notePage(request, reply, row, { problem: `Not sent: ${error.message}` }, 409);
    }
    await recordAdminAction(services.db, request.admin, 'issue_started', { issue: issueId, note: row.slug });
    services.issues.wake();
    return reply.redirect(`/admin/issues/${issueId}?done=started`, 303);
  });
};
