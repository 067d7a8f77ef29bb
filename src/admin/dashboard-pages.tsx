// The dashboard at /admin.
import type { FastifyPluginAsync } from 'fastify';
import type { AdminDependencies } from './admin-dependencies.js';
import { readDashboard } from './dashboard-queries.js';
import { sendAdminPage } from './send-admin-page.js';
import { DashboardPage } from './views/dashboard-page.js';

export const dashboardPages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  app.get('/', async (request, reply) => {
    const dashboard = await readDashboard(deps.services.db, deps.clock.now());
    return sendAdminPage(
      reply,
      <DashboardPage admin={request.admin} csrfToken={request.csrfToken} dashboard={dashboard} />,
    );
  });
};
