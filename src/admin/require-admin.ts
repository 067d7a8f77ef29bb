// The gate of the signed-in admin: every route inside it needs a live session at the right stage and,
// for anything that changes state, the session's CSRF token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminSession } from '../db/schema.js';
import type { ActingAdmin } from './admin-actions.js';
import { refuseCsrf, refuseUnauthenticated, wantsHtml } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { changesState, csrfTokenOf, tokensMatch } from './csrf.js';
import { adminHeaders } from './send-admin-page.js';
import { cookieOf, sessionCookie } from './session-cookie.js';
import { sessionOf } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in admin, on every route inside the admin's authenticated scope. */
    admin: ActingAdmin;
    /** The session's CSRF token: render it in every form with <CsrfField token={request.csrfToken} />. */
    csrfToken: string;
    adminSession: AdminSession;
  }
  interface FastifyContextConfig {
    /**
     * Which unfinished sessions a route also serves: `password` (the second step of a login), `enrol`
     * (setting up the second factor a login requires) or `any` (logout). Every other route needs a
     * complete login.
     */
    adminStage?: 'password' | 'enrol' | 'any';
  }
}

/** Where an unfinished login goes next. */
export const pathForStage = { password: '/admin/login/second-factor', enrol: '/admin/settings/security' };

export function requireAdmin(scope: FastifyInstance, deps: AdminDependencies): void {
  scope.decorateRequest('admin', null as unknown as ActingAdmin);
  scope.decorateRequest('csrfToken', '');
  scope.decorateRequest('adminSession', null as unknown as AdminSession);

  scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const token = cookieOf(request, sessionCookie);
    const live = token ? await sessionOf(deps.services.db, deps.clock, token) : undefined;
    if (!live) return refuseUnauthenticated(request, reply);
    const stage = live.session.stage;
    const allowed = request.routeOptions.config.adminStage;
    if (stage !== 'full' && allowed !== 'any' && allowed !== stage) {
      if (!wantsHtml(request))
        return reply.code(401).headers(adminHeaders).send({ error: 'Finish logging in first.' });
      return reply.headers(adminHeaders).redirect(pathForStage[stage], 303);
    }
    request.admin = { id: live.admin.id, email: live.admin.email };
    request.csrfToken = live.session.csrf_token;
    request.adminSession = live.session;
  });

  // preHandler: the body has been parsed by then.
  scope.addHook('preHandler', async (request, reply) => {
    if (!changesState(request)) return;
    if (!tokensMatch(request.csrfToken, await csrfTokenOf(request))) return refuseCsrf(request, reply);
  });
}
