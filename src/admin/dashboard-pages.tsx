// The dashboard at /admin: the readers and the latest issues (dashboard-queries.ts), and the platform's
// error budget (observability/error-budget.ts), read at once.
import type { FastifyPluginAsync } from 'fastify';
import { errorBudgetsFor } from '../observability/error-budget.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { readDashboard } from './dashboard-queries.js';
import { sendAdminPage } from './send-admin-page.js';
import { DashboardPage } from './views/dashboard-page.js';
import { ErrorBudgetPanel } from './views/error-budget-panel.js';

export const dashboardPages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  app.get('/', async (request, reply) => {
    const [dashboard, budgets] = await Promise.all([
      readDashboard(deps.services.db, deps.clock.now()),
      errorBudgetsFor(deps),
    ]);
    return sendAdminPage(
      reply,
      <DashboardPage
        admin={request.admin}
        csrfToken={request.csrfToken}
        dashboard={dashboard}
        errorBudget={<ErrorBudgetPanel budgets={budgets} />}
      />,
    );
  });
};
