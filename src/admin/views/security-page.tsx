// The admin's own second factors: passkeys (recommended), an authenticator app, recovery codes.

import { webauthnBrowserScript } from '../admin-assets.js';
import type { StoredPasskey } from '../passkeys.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';
import { TotpCodeField } from './totp-code-field.js';

export interface SecurityPageProps {
  admin: { email: string };
  csrfToken: string;
  passkeys: StoredPasskey[];
  hasTotp: boolean;
  recoveryCodesLeft: number;
  /** A second factor must be set up before anything else (admin create --require-2fa). */
  mustEnrol: boolean;
  notice?: { ok: boolean; message: string } | undefined;
  /** Just generated: shown this once. */
  newRecoveryCodes?: string[] | undefined;
  /** An authenticator app being set up: its QR code (SVG), URI, and the sealed key the form carries back. */
  totpSetup?: { svg: string; uri: string; sealed: string } | undefined;
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never');

export function SecurityPage(p: SecurityPageProps) {
  return (
    <AdminLayout
      title="Second factor"
      section="settings"
      admin={p.admin}
      csrfToken={p.csrfToken}
      scripts={[webauthnBrowserScript, 'passkeys.js']}
    >
      {p.mustEnrol ? (
        <p class="notice notice-warn">
          This account needs a second factor: add a passkey or an authenticator app to continue.
        </p>
      ) : null}
      {p.notice ? (
        <p class={p.notice.ok ? 'notice notice-ok' : 'notice notice-error'} role="status">
          {p.notice.message}
        </p>
      ) : null}
      <p class="notice notice-error" id="passkey-problem" role="alert" hidden />
      {p.newRecoveryCodes ? <NewRecoveryCodes codes={p.newRecoveryCodes} /> : null}

      <section aria-labelledby="passkeys">
        <h2 id="passkeys">Passkeys (recommended)</h2>
        <p>
          A passkey lives on your device or security key and works only on this site, so no phishing page can
          use it. Passkeys need the admin on https (or on localhost).
        </p>
        {p.passkeys.length > 0 ? (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Added</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="muted">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.passkeys.map((passkey) => (
                  <tr key={passkey.id}>
                    <td>{passkey.name}</td>
                    <td>{day(passkey.created_at)}</td>
                    <td>{day(passkey.last_used_at)}</td>
                    <td>
                      <form method="post" action={`/admin/settings/security/passkeys/${passkey.id}/remove`}>
                        <CsrfField token={p.csrfToken} />
                        <button type="submit" class="button button-secondary button-small">
                          Remove
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No passkey yet.</p>
        )}
        <div class="inline-form">
          <label for="passkey-name">Name of the new passkey</label>
          <input id="passkey-name" type="text" maxlength={60} value="My passkey" />
          <button
            type="button"
            class="button"
            id="add-passkey"
            data-csrf={p.csrfToken}
            data-options="/admin/settings/security/passkeys/options"
            data-verify="/admin/settings/security/passkeys"
          >
            Add a passkey
          </button>
        </div>
        <p class="hint">Adding a passkey needs JavaScript; the authenticator app below does not.</p>
      </section>

      <section aria-labelledby="totp">
        <h2 id="totp">Authenticator app</h2>
        {p.totpSetup ? (
          <TotpSetup csrfToken={p.csrfToken} setup={p.totpSetup} />
        ) : p.hasTotp ? (
          <form method="post" action="/admin/settings/security/totp/remove" class="actions">
            <CsrfField token={p.csrfToken} />
            <span>An authenticator app is set up.</span>
            <button type="submit" class="button button-secondary">
              Remove it
            </button>
          </form>
        ) : (
          <form method="post" action="/admin/settings/security/totp/start">
            <CsrfField token={p.csrfToken} />
            <p>
              Codes from an app such as Aegis, 2FAS or Google Authenticator, for devices without passkeys.
            </p>
            <button type="submit" class="button button-secondary">
              Set up an authenticator app
            </button>
          </form>
        )}
      </section>

      {p.mustEnrol || (p.passkeys.length === 0 && !p.hasTotp) ? null : (
        <section aria-labelledby="recovery">
          <h2 id="recovery">Recovery codes</h2>
          <p>
            {p.recoveryCodesLeft > 0
              ? `${p.recoveryCodesLeft} unused recovery code(s) left. Each works once, in place of your second factor.`
              : 'No recovery codes: if you lose your device, you cannot log in. Generate them and keep them safe.'}
          </p>
          <form method="post" action="/admin/settings/security/recovery-codes">
            <CsrfField token={p.csrfToken} />
            <button type="submit" class="button button-secondary">
              {p.recoveryCodesLeft > 0 ? 'Replace them with new codes' : 'Generate recovery codes'}
            </button>
          </form>
        </section>
      )}
    </AdminLayout>
  );
}

function TotpSetup({
  csrfToken,
  setup,
}: {
  csrfToken: string;
  setup: { svg: string; uri: string; sealed: string };
}) {
  return (
    <div>
      <p>Scan this code with your authenticator app, then enter the six digits it shows.</p>
      {/* Drawn here by the qrcode library: an SVG of paths, no script, nothing from another host. */}
      <div
        class="qr-code"
        role="img"
        aria-label="QR code of the authenticator key"
        dangerouslySetInnerHTML={{ __html: setup.svg }}
      />
      <p class="hint">Or enter this address in the app by hand:</p>
      <p>
        <code class="break-all" id="totp-uri">
          {setup.uri}
        </code>
      </p>
      <form method="post" action="/admin/settings/security/totp/confirm" class="stack">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="sealed" value={setup.sealed} />
        <TotpCodeField id="totp-code" />
        <button type="submit" class="button">
          Turn on
        </button>
      </form>
    </div>
  );
}

function NewRecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <section aria-labelledby="new-codes" class="card">
      <h2 id="new-codes">Your recovery codes</h2>
      <p>
        Write them down or store them in your password manager now: they are not shown again. Each works once.
      </p>
      <ul class="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
    </section>
  );
}
