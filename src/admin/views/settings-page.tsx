// Settings: the effective configuration (secrets masked), a test of the SMTP relay, and the way to
// the admin's own security settings.
import type { Setting } from '../effective-settings.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';

export interface RelayTestResult {
  ok: boolean;
  message: string;
}

export interface SettingsPageProps {
  admin: { email: string };
  csrfToken: string;
  settings: Setting[];
  /** Where mail goes, in words (never with credentials). */
  mailGoesTo: string;
  relayTest?: RelayTestResult;
}

export function SettingsPage({ admin, csrfToken, settings, mailGoesTo, relayTest }: SettingsPageProps) {
  return (
    <AdminLayout title="Settings" section="settings" admin={admin} csrfToken={csrfToken}>
      <section aria-labelledby="mail-relay">
        <h2 id="mail-relay">Mail relay</h2>
        <p>Mail goes to the {mailGoesTo}.</p>
        {relayTest ? (
          <p class={relayTest.ok ? 'notice notice-ok' : 'notice notice-error'} role="status">
            {relayTest.message}
          </p>
        ) : null}
        <form method="post" action="/admin/settings/test-relay">
          <CsrfField token={csrfToken} />
          <button type="submit" class="button">
            Test the relay
          </button>
        </form>
      </section>
      <section aria-labelledby="security">
        <h2 id="security">Your security</h2>
        <p>
          Passkeys, an authenticator app and recovery codes for <strong>{admin.email}</strong>:{' '}
          <a href="/admin/settings/security">second factor settings</a>.
        </p>
      </section>
      <section aria-labelledby="configuration">
        <h2 id="configuration">Configuration</h2>
        <p>
          As this process read it from the environment and <code>.env</code>. Secrets are never shown; change
          them where they are set and restart.
        </p>
        <div class="table-scroll">
          <table class="settings-table">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {settings.map((setting) => (
                <tr key={setting.name}>
                  <th scope="row">
                    <code>{setting.name}</code>
                  </th>
                  <td class={setting.secret ? 'secret' : undefined}>{setting.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </AdminLayout>
  );
}
