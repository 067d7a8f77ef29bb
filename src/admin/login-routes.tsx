// Logging in and out. The login form is protected like every other admin form: a double-submit token
// in a short-lived cookie, so another site cannot sign a browser in to an account of its choosing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { randomToken } from '../subscriptions/tokens.js';
import { recordAdminAction } from './admin-actions.js';
import { refuseCsrf } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { findAdminByEmail } from './admin-store.js';
import { csrfTokenOf, tokensMatch } from './csrf.js';
import {
  clearAccountFailures,
  deleteOldLoginFailures,
  loginWait,
  recordLoginFailure,
  waitInWords,
} from './login-throttle.js';
import { decoyHash, isPasswordOf } from './passwords.js';
import { pathForStage } from './require-admin.js';
import { hasSecondFactor } from './second-factors.js';
import { sendAdminPage } from './send-admin-page.js';
import { clearCookie, cookieOf, loginCookie, sessionCookie, setCookie } from './session-cookie.js';
import { deleteExpiredSessions, endSession, sessionLifetimes, sessionOf, startSession } from './sessions.js';
import { LoginPage } from './views/login-page.js';

const loginForm = z.object({
  email: z.string().trim().max(320).default(''),
  password: z.string().max(1024).default(''),
});

const loginCookieSeconds = 60 * 60;

/** The login page with a fresh double-submit token. */
function sendLoginPage(
  request: FastifyRequest,
  reply: FastifyReply,
  props: { email?: string; problem?: string; notice?: string } = {},
  status = 200,
) {
  const token = randomToken();
  setCookie(request, reply, loginCookie, token, loginCookieSeconds);
  return sendAdminPage(reply, <LoginPage csrfToken={token} {...props} />, status);
}

/** Public: the login form and what it posts to. */
export function loginRoutes(app: FastifyInstance, deps: AdminDependencies): void {
  const { db } = deps.services;
  app.get('/login', async (request, reply) => {
    const token = cookieOf(request, sessionCookie);
    const live = token ? await sessionOf(db, deps.clock, token) : undefined;
    if (live?.session.stage === 'full') return reply.redirect('/admin', 303);
    const notice = 'logged-out' in (request.query as object) ? 'You are logged out.' : undefined;
    return sendLoginPage(request, reply, notice ? { notice } : {});
  });

  app.post('/login', async (request, reply) => {
    if (!tokensMatch(cookieOf(request, loginCookie) ?? '', await csrfTokenOf(request)))
      return refuseCsrf(request, reply);
    const form = loginForm.safeParse(request.body ?? {});
    const { email, password } = form.success ? form.data : { email: '', password: '' };
    // Checked before the password: while locked, even the right password is not tried.
    const wait = await loginWait(db, deps.clock, request.ip, email);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      const problem = `Too many failed logins. For your safety, logging in is paused: try again in ${waitInWords(wait)}.`;
      return sendLoginPage(request, reply, { email, problem }, 429);
    }
    const admin = email ? await findAdminByEmail(db, email) : undefined;
    const passwordOk = await isPasswordOf(admin?.password_hash ?? (await decoyHash()), password);
    if (!admin || !passwordOk) {
      await recordLoginFailure(db, deps.clock, request.ip, email);
      if (admin) await recordAdminAction(db, admin, 'login failed', { reason: 'wrong password' }, deps.clock);
      return sendLoginPage(request, reply, { email, problem: 'Wrong email address or password.' }, 401);
    }
    const stage = (await hasSecondFactor(db, admin.id))
      ? 'password'
      : admin.second_factor_required
        ? 'enrol'
        : 'full';
    // A session already in this browser is ended: a login always starts a new one.
    const previous = cookieOf(request, sessionCookie);
    const old = previous ? await sessionOf(db, deps.clock, previous) : undefined;
    if (old) await endSession(db, old.session.id);
    // Each login clears what has run out, so abandoned sessions and old failures do not pile up.
    await deleteExpiredSessions(db, deps.clock);
    await deleteOldLoginFailures(db, deps.clock);
    const { token } = await startSession(db, deps.clock, admin.id, stage);
    setCookie(request, reply, sessionCookie, token, sessionLifetimes.absoluteMs / 1000);
    clearCookie(request, reply, loginCookie);
    if (stage === 'full') await clearAccountFailures(db, admin.email);
    await recordAdminAction(
      db,
      admin,
      stage === 'full' ? 'login' : 'password accepted',
      stage === 'full' ? { method: 'password' } : {},
      deps.clock,
    );
    return reply.redirect(stage === 'full' ? '/admin' : pathForStage[stage], 303);
  });
}

/** Inside the authenticated scope, at any stage of login. */
export function logoutRoute(app: FastifyInstance, deps: AdminDependencies): void {
  app.post('/logout', { config: { adminStage: 'any' } }, async (request, reply) => {
    await endSession(deps.services.db, request.adminSession.id);
    clearCookie(request, reply, sessionCookie);
    await recordAdminAction(deps.services.db, request.admin, 'logout', {}, deps.clock);
    return reply.redirect('/admin/login?logged-out', 303);
  });
}
