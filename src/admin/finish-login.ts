// Ending a login step: a new session token for the new stage (cookie replaced), the account's failed
// tries forgiven, and the ledger told.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminSessionStage } from '../db/schema.js';
import { recordAdminAction } from './admin-actions.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { clearAccountFailures } from './login-throttle.js';
import { sessionCookie, setCookie } from './session-cookie.js';
import { advanceSession, sessionLifetimes } from './sessions.js';

export async function moveSessionTo(
  deps: AdminDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  stage: AdminSessionStage,
): Promise<void> {
  const { token, session } = await advanceSession(deps.services.db, deps.clock, request.adminSession, stage);
  setCookie(request, reply, sessionCookie, token, sessionLifetimes.absoluteMs / 1000);
  request.adminSession = session;
  request.csrfToken = session.csrf_token;
}

export async function finishLogin(
  deps: AdminDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  method: string,
): Promise<void> {
  await moveSessionTo(deps, request, reply, 'full');
  await clearAccountFailures(deps.services.db, request.admin.email);
  await recordAdminAction(deps.services.db, request.admin, 'login', { method }, deps.clock);
}
