// The Settings page and its relay test.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { recordAdminAction } from './admin-actions.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { effectiveSettings } from './effective-settings.js';
import { sendAdminPage } from './send-admin-page.js';
import { type RelayTestResult, SettingsPage } from './views/settings-page.js';

export const settingsPages: FastifyPluginAsync<AdminDependencies> = async (app, deps) => {
  const page = (request: FastifyRequest, relayTest?: RelayTestResult) => (
    <SettingsPage
      admin={request.admin}
      csrfToken={request.csrfToken}
      settings={effectiveSettings(deps.config)}
      mailGoesTo={deps.services.transport.description}
      {...(relayTest ? { relayTest } : {})}
    />
  );

  app.get('/settings', async (request, reply) => sendAdminPage(reply, page(request)));

  app.post('/settings/test-relay', async (request, reply) => {
    const started = performance.now();
    let result: RelayTestResult;
    if (!deps.config.smtpUrl) {
      result = {
        ok: true,
        message: 'No relay is configured (SMTP_URL is not set): mail is kept in the local mailbox.',
      };
    } else {
      try {
        await deps.services.transport.verify();
        const ms = Math.round(performance.now() - started);
        result = { ok: true, message: `The relay answered: connected, greeted and logged in (${ms} ms).` };
      } catch (error) {
        result = { ok: false, message: `The relay test failed at ${(error as Error).message}` };
      }
    }
    await recordAdminAction(deps.services.db, request.admin, 'relay tested', { ok: result.ok }, deps.clock);
    // The page answered as asked, whatever the relay said: the result is in the page, not the status.
    return sendAdminPage(reply, page(request, result));
  });
};
