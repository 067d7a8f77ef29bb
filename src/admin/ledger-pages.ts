// /admin/ledger: the event log a page at a time, by kind, and the chain verification on demand.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ensureSecret } from '../config/ensure-secret.js';
import { verifyWithCheckpoints } from '../ledger/verify-with-checkpoints.js';
import { refuseWith } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { ledgerKinds, ledgerPage } from './ledger-queries.js';
import { beforeParam, chromeOf } from './page-input.js';
import { sendAdminPage } from './send-admin-page.js';
import { LedgerPage } from './views/ledger-page.js';

const perPage = 50;

export const ledgerPages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  const db = deps.services.db.kysely;

  /** The filter and position from the query; undefined when the answer (a 400) was sent. */
  const readQuery = (request: FastifyRequest, reply: FastifyReply) => {
    const { kind } = request.query as { kind?: unknown };
    if (kind !== undefined && (typeof kind !== 'string' || !/^[a-z_]{0,40}$/.test(kind))) {
      void refuseWith(
        request,
        reply,
        400,
        'That did not work',
        'kind: not a kind of event (letters and _ only).',
      );
      return undefined;
    }
    const before = beforeParam(request);
    if (before === 'bad') {
      void refuseWith(request, reply, 400, 'That did not work', 'before: not an event number.');
      return undefined;
    }
    return { kind: kind === '' ? undefined : kind, before };
  };

  app.get('/ledger', async (request, reply) => {
    const query = readQuery(request, reply);
    if (!query) return reply;
    const [page, kinds] = await Promise.all([ledgerPage(db, { ...query, limit: perPage }), ledgerKinds(db)]);
    return sendAdminPage(reply, LedgerPage({ chrome: chromeOf(request), page, kinds, kind: query.kind }));
  });

  // A POST: the walk reads every event, which no link or prefetch should start.
  app.post('/ledger/verify', async (request, reply) => {
    const verification = await verifyWithCheckpoints(
      db,
      ensureSecret(deps.config),
      deps.config.ledgerCheckpointFile,
    );
    const [page, kinds] = await Promise.all([ledgerPage(db, { limit: perPage }), ledgerKinds(db)]);
    const props = { chrome: chromeOf(request), page, kinds, kind: undefined, verification };
    return sendAdminPage(reply, LedgerPage(props));
  });
};
