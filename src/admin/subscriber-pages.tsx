// The Subscribers pages: the list (search, status filter, keyset pages), one reader's page and what the
// admin may do to them (suppress, lift a suppression, erase), CSV import (upload, preview, confirm,
// progress) and export. Every change goes through the subscriptions domain and is recorded as the
// admin's action.
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { exportSubscribers } from '../subscriptions/export-subscribers.js';
import { statusCounts, subscriberStatuses } from '../subscriptions/status-counts.js';
import { isUserError } from '../user-error.js';
import { recordAdminAction } from './admin-actions.js';
import { refuseWith } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { ImportJobs } from './import-jobs.js';
import { adminHeaders, sendAdminPage } from './send-admin-page.js';
import { findSubscribers, subscriberDetail } from './subscriber-queries.js';
import { jobProgress, PreviewPage, ProgressPage, progressWords, UploadPage } from './views/import-pages.js';
import { SubscriberPage } from './views/subscriber-page.js';
import { SubscribersPage } from './views/subscribers-page.js';

const listQuery = z.object({
  q: z.string().trim().max(254).optional(),
  status: z
    .enum(subscriberStatuses as [string, ...string[]])
    .or(z.literal(''))
    .optional(),
  after: z.coerce.number().int().positive().optional(),
});

const idParams = z.object({ id: z.coerce.number().int().positive() });
const jobParams = z.object({ job: z.string().regex(/^[A-Za-z0-9_-]{24}$/) });
const eraseBody = z.object({ confirm: z.literal('yes') });
const startBody = z.object({
  emailColumn: z.coerce.number().int().min(0),
  status: z.enum(['pending', 'active']),
});

const notices: Record<string, string> = {
  suppressed: 'Suppressed: no more mail goes to this address.',
  unsuppressed: 'The suppression is lifted.',
  unchanged: 'Nothing changed: the reader was already in that state.',
  erased: 'The person was erased.',
};

export const subscriberPages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  const { services, clock, config } = deps;
  const db = services.db;
  const jobs = new ImportJobs({
    db,
    keys: services.keys,
    clock,
    log: deps.log,
    dir: join(config.dataDir, 'imports'),
  });
  app.addHook('onClose', async () => jobs.close());

  const badRequest = (request: FastifyRequest, reply: FastifyReply, message: string) =>
    refuseWith(request, reply, 400, 'Not understood', message);
  const notFound = (request: FastifyRequest, reply: FastifyReply, what: string) =>
    refuseWith(request, reply, 404, 'Not found', what);
  const noticeOf = (request: FastifyRequest) => {
    const done = (request.query as Record<string, unknown>)?.done;
    return typeof done === 'string' ? notices[done] : undefined;
  };

  app.get('/subscribers', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query);
    if (!parsed.success)
      return badRequest(request, reply, 'The search is not one this page makes (q, status, after).');
    const { q, status, after } = parsed.data;
    const query = {
      ...(q ? { search: q } : {}),
      ...(status ? { status: status as (typeof subscriberStatuses)[number] } : {}),
      ...(after !== undefined ? { after } : {}),
    };
    const [page, counts] = await Promise.all([findSubscribers(db, query), statusCounts(db)]);
    const notice = noticeOf(request);
    return sendAdminPage(
      reply,
      <SubscribersPage
        admin={request.admin}
        csrfToken={request.csrfToken}
        query={query}
        page={page}
        counts={counts}
        {...(notice ? { notice } : {})}
      />,
    );
  });

  app.post('/subscribers/export', async (request, reply) => {
    await recordAdminAction(db, request.admin, 'subscribers exported', {}, clock);
    const day = clock.now().toISOString().slice(0, 10);
    const output = new PassThrough();
    exportSubscribers({ db, output }).catch((error: unknown) => {
      // The download was cut short (the browser went away, the database failed): end it unfinished.
      deps.log.warn({ err: error }, 'subscriber export stopped');
      output.destroy(error as Error);
    });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="subscribers-${day}.csv"`)
      .send(output);
  });

  app.get('/subscribers/import', async (request, reply) =>
    sendAdminPage(reply, <UploadPage admin={request.admin} csrfToken={request.csrfToken} />),
  );

  app.post('/subscribers/import', async (request, reply) => {
    const refuse = (problem: string) =>
      wantsJson(request)
        ? reply.code(400).headers(adminHeaders).send({ error: problem })
        : sendAdminPage(
            reply,
            <UploadPage admin={request.admin} csrfToken={request.csrfToken} problem={problem} />,
            400,
          );
    const file = request.isMultipart() ? await request.file() : undefined;
    if (!file) return refuse('Choose a CSV file to upload.');
    try {
      const job = await jobs.upload(file.file, file.filename);
      return reply.redirect(`/admin/subscribers/import/${job.id}`, 303);
    } catch (error) {
      if (isUserError(error)) return refuse(error.message);
      throw error;
    }
  });

  app.get('/subscribers/import/:job', async (request, reply) => {
    const params = jobParams.safeParse(request.params);
    const job = params.success ? jobs.get(params.data.job) : undefined;
    if (!job)
      return notFound(request, reply, 'No such import: uploads not confirmed within an hour are deleted.');
    if (wantsJson(request)) {
      const progress = jobProgress(job);
      return reply.headers(adminHeaders).send({ ...progress, words: progressWords(progress) });
    }
    const props = { admin: request.admin, csrfToken: request.csrfToken, job };
    return sendAdminPage(
      reply,
      job.state === 'uploaded' ? <PreviewPage {...props} /> : <ProgressPage {...props} />,
    );
  });

  app.post('/subscribers/import/:job/start', async (request, reply) => {
    const params = jobParams.safeParse(request.params);
    const job = params.success ? jobs.get(params.data.job) : undefined;
    if (!job)
      return notFound(request, reply, 'No such import: uploads not confirmed within an hour are deleted.');
    const body = startBody.safeParse(request.body);
    if (!body.success || body.data.emailColumn >= job.preview.headers.length)
      return badRequest(
        request,
        reply,
        'Choose the column of addresses and the status of the imported readers.',
      );
    jobs.start(job.id, body.data, request.admin);
    return reply.redirect(`/admin/subscribers/import/${job.id}`, 303);
  });

  app.get('/subscribers/:id', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    const detail = params.success ? await subscriberDetail(db, params.data.id) : undefined;
    if (!detail) return notFound(request, reply, 'No subscriber has this number (erased, or never here).');
    const notice = noticeOf(request);
    return sendAdminPage(
      reply,
      <SubscriberPage
        admin={request.admin}
        csrfToken={request.csrfToken}
        detail={detail}
        {...(notice ? { notice } : {})}
      />,
    );
  });

  for (const change of ['suppress', 'unsuppress'] as const) {
    app.post(`/subscribers/:id/${change}`, async (request, reply) => {
      const params = idParams.safeParse(request.params);
      if (!params.success) return notFound(request, reply, 'No subscriber has this number.');
      const id = params.data.id;
      const outcome =
        change === 'suppress'
          ? await services.subscriptions.suppressByAdmin(id, request.admin.email)
          : await services.subscriptions.unsuppress(id, request.admin.email);
      if (outcome === 'unknown')
        return notFound(request, reply, 'No subscriber has this number (erased, or never here).');
      if (outcome === 'changed')
        await recordAdminAction(db, request.admin, `subscriber ${change}ed`, { subscriberId: id }, clock);
      return reply.redirect(
        `/admin/subscribers/${id}?done=${outcome === 'changed' ? `${change}ed` : 'unchanged'}`,
        303,
      );
    });
  }

  app.post('/subscribers/:id/erase', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    const subscriber = params.success ? (await subscriberDetail(db, params.data.id))?.subscriber : undefined;
    if (!subscriber)
      return notFound(request, reply, 'No subscriber has this number (erased, or never here).');
    if (!eraseBody.safeParse(request.body).success)
      return badRequest(request, reply, 'Tick the box to confirm the erasure: it cannot be undone.');
    if (await services.subscriptions.erase(subscriber, 'admin'))
      await recordAdminAction(db, request.admin, 'subscriber erased', { subscriberId: subscriber.id }, clock);
    return reply.redirect('/admin/subscribers?done=erased', 303);
  });
};

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}
