// /admin/issues: the list, one issue with its live figures (server-sent events), pause / resume /
// cancel through the delivery module's own state changes, and a marked test copy to one address.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { cancelIssue, pauseIssue, resumeIssue, type StateChange } from '../delivery/issue-store.js';
import { sendTestCopy } from '../server/issue-actions.js';
import { isUserError } from '../user-error.js';
import { recordAdminAction } from './admin-actions.js';
import { refuseWith } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { EventStreams } from './event-stream.js';
import { issueFiguresOf, issueFiguresPage } from './issue-figures.js';
import { beforeParam, chromeOf, formField, idParam, noticeOf } from './page-input.js';
import { sendAdminPage } from './send-admin-page.js';
import { IssuePage } from './views/issue-page.js';
import { IssuesPage } from './views/issues-page.js';

const notices = {
  paused: 'Paused: the mails in flight finish, then sending stops. Resume continues where it stopped.',
  resumed: 'Sending.',
  cancelled: 'Cancelled for good: nobody else gets this issue.',
  started: 'Sending: the figures below follow it.',
  'test-sent': 'A marked test copy was sent. It is not counted as this issue’s mail.',
} as const;

/** How often a watching page's figures are read: the workers checkpoint about once a second. */
const progressIntervalMs = 500;

export const issuePages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  const { services, clock } = deps;
  const db = services.db;
  const streams = new EventStreams();
  // Before the server waits for its connections: an open stream would otherwise keep it from closing.
  app.addHook('preClose', async () => streams.closeAll());

  app.get('/issues', async (request, reply) => {
    const before = beforeParam(request);
    if (before === 'bad')
      return refuseWith(request, reply, 400, 'That did not work', 'before: not an issue number.');
    const list = await issueFiguresPage(db.kysely, clock.now(), before);
    return sendAdminPage(reply, IssuesPage({ chrome: chromeOf(request), list, paged: before !== undefined }));
  });

  app.get('/issues/:id', async (request, reply) => {
    const id = idParam(request);
    const issue = id === undefined ? undefined : await issueFiguresOf(db.kysely, id, clock.now());
    if (!issue) return refuseWith(request, reply, 404, 'Not found', 'There is no such issue.');
    const notice = noticeOf(request, notices);
    return sendAdminPage(reply, IssuePage({ chrome: chromeOf(request), issue, notice }));
  });

  app.get('/issues/:id/progress', async (request, reply) => {
    const id = idParam(request);
    const issue = id === undefined ? undefined : await issueFiguresOf(db.kysely, id, clock.now());
    if (id === undefined || !issue) return reply.code(404).send({ error: 'There is no such issue.' });
    streams.start(request, reply, {
      read: () => issueFiguresOf(db.kysely, id, clock.now()),
      isFinal: (figures) => figures.final,
      intervalMs: progressIntervalMs,
    });
    return reply;
  });

  const change =
    (action: 'pause' | 'resume' | 'cancel', done: keyof typeof notices) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const id = idParam(request);
      const issue = id === undefined ? undefined : await issueFiguresOf(db.kysely, id, clock.now());
      if (!issue) return refuseWith(request, reply, 404, 'Not found', 'There is no such issue.');
      const now = clock.now();
      const result: StateChange =
        action === 'pause'
          ? await pauseIssue(db.kysely, db.engine, issue.slug)
          : action === 'resume'
            ? await resumeIssue(db.kysely, db.engine, issue.slug, now)
            : await cancelIssue(db.kysely, db.engine, issue.slug, now);
      if (!result.ok) {
        return sendAdminPage(
          reply,
          IssuePage({ chrome: chromeOf(request), issue, problem: `Not done: ${result.problem}.` }),
          409,
        );
      }
      await recordAdminAction(db, request.admin, `issue_${action}`, { issue: issue.id, note: issue.slug });
      if (action === 'resume') services.issues.wake();
      // Releasing an issue that waited for a person starts it: the page says so.
      const said = action === 'resume' && issue.state === 'held' ? 'started' : done;
      return reply.redirect(`/admin/issues/${issue.id}?done=${said}`, 303);
    };
  app.post('/issues/:id/pause', change('pause', 'paused'));
  app.post('/issues/:id/resume', change('resume', 'resumed'));
  app.post('/issues/:id/cancel', change('cancel', 'cancelled'));

  app.post('/issues/:id/test', async (request, reply) => {
    const id = idParam(request);
    const issue = id === undefined ? undefined : await issueFiguresOf(db.kysely, id, clock.now());
    if (!issue) return refuseWith(request, reply, 404, 'Not found', 'There is no such issue.');
    const address = formField(request, 'address');
    try {
      await sendTestCopy(
        services,
        deps.live,
        deps.config.siteUrl,
        issue.slug,
        address,
        clock.now(),
        'address',
      );
    } catch (error) {
      if (!isUserError(error)) throw error;
      const testForm = { address, problem: error.message };
      return sendAdminPage(reply, IssuePage({ chrome: chromeOf(request), issue, testForm }), 400);
    }
    // The address is the admin's choice and may be a reader's: the ledger names the issue only.
    await recordAdminAction(db, request.admin, 'issue_test_sent', { issue: issue.id, note: issue.slug });
    return reply.redirect(`/admin/issues/${issue.id}?done=test-sent`, 303);
  });
};
