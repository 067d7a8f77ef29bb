// The second step of a login: a passkey (with JavaScript), a code from an authenticator app, or a
// recovery code. The last two are plain forms and work without JavaScript.
import { webauthnBrowserScript } from '../admin-assets.js';
import { AuthLayout, FormProblem } from './auth-layout.js';
import { CsrfField } from './csrf-field.js';
import { TotpCodeField } from './totp-code-field.js';

export interface SecondFactorPageProps {
  csrfToken: string;
  hasPasskey: boolean;
  hasTotp: boolean;
  problem?: string;
}

export function SecondFactorPage({ csrfToken, hasPasskey, hasTotp, problem }: SecondFactorPageProps) {
  return (
    <AuthLayout title="Confirm it is you" scripts={hasPasskey ? [webauthnBrowserScript, 'passkeys.js'] : []}>
      <FormProblem message={problem} />
      <p class="notice notice-error" id="passkey-problem" role="alert" hidden />
      {hasPasskey ? (
        <section aria-labelledby="with-passkey">
          <h2 id="with-passkey">With your passkey</h2>
          <p class="hint">Your browser asks your device (fingerprint, face, PIN or security key).</p>
          <button
            type="button"
            class="button"
            id="use-passkey"
            data-csrf={csrfToken}
            data-options="/admin/login/passkey/options"
            data-verify="/admin/login/passkey"
          >
            Use a passkey
          </button>
        </section>
      ) : null}
      {hasTotp ? (
        <section aria-labelledby="with-code">
          <h2 id="with-code">With your authenticator app</h2>
          <form method="post" action="/admin/login/totp" class="stack">
            <CsrfField token={csrfToken} />
            <TotpCodeField id="code" />
            <button type="submit" class="button">
              Confirm
            </button>
          </form>
        </section>
      ) : null}
      <details>
        <summary>Lost your device? Use a recovery code</summary>
        <form method="post" action="/admin/login/recovery" class="stack">
          <CsrfField token={csrfToken} />
          <label for="recovery">Recovery code</label>
          <input id="recovery" name="code" type="text" autocomplete="off" required />
          <p class="hint">Each code works once.</p>
          <button type="submit" class="button button-secondary">
            Use recovery code
          </button>
        </form>
      </details>
    </AuthLayout>
  );
}
