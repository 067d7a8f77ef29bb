// The admin, under /admin: its static files and the login page in the open, everything else behind a
// signed-in session (see require-admin.ts). Every answer is uncacheable and not for search engines.
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { ensureSecret } from '../config/ensure-secret.js';
import { refuseUnauthenticated, refuseWith } from './admin-answers.js';
import { adminAssets } from './admin-assets.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { loginRoutes, logoutRoute } from './login-routes.js';
import { adminPages } from './pages.js';
import { relyingPartyOf } from './passkeys.js';
import { pathForStage, requireAdmin } from './require-admin.js';
import { secondFactorRoutes } from './second-factor-routes.js';
import { SecretBox } from './secret-box.js';
import { securityPages } from './security-pages.js';
import { adminHeaders } from './send-admin-page.js';
import { cookieOf, sessionCookie } from './session-cookie.js';
import { sessionOf } from './sessions.js';

/** A CSV of a million subscribers is some tens of megabytes. */
const uploadLimitBytes = 200 * 1024 * 1024;

export const adminRoutes: FastifyPluginAsync<AdminDependencies> = async (app, options) => {
  // Only the dependencies: the options also hold `prefix`, which the pages must not be given again.
  const { services, live, config, clock, log, metrics } = options;
  const deps: AdminDependencies = { services, live, config, clock, log, ...(metrics ? { metrics } : {}) };
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(adminHeaders);
  });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(multipart, {
    limits: { fileSize: uploadLimitBytes, files: 1, fields: 20, fieldSize: 4096 },
  });
  const tools = {
    box: new SecretBox(ensureSecret(config)),
    rp: relyingPartyOf(config.siteUrl, live.snapshot.site.title),
  };
  adminAssets(app);
  loginRoutes(app, deps);

  await app.register(async (scope) => {
    requireAdmin(scope, deps);
    logoutRoute(scope, deps);
    secondFactorRoutes(scope, deps, tools);
    securityPages(scope, deps, tools);
    for (const page of adminPages) await scope.register(page, deps);
  });

  // An unknown address under /admin tells nothing to someone not signed in: they go to the login page.
  app.setNotFoundHandler(async (request, reply) => {
    const token = cookieOf(request, sessionCookie);
    const live = token ? await sessionOf(deps.services.db, deps.clock, token) : undefined;
    if (!live) return refuseUnauthenticated(request, reply);
    if (live.session.stage !== 'full') return reply.redirect(pathForStage[live.session.stage], 303);
    return refuseWith(request, reply, 404, 'Page not found', 'There is no admin page at this address.');
  });
};
