// The login form: address and password. The second factor, if any, is asked on the next page.
import { AuthLayout, FormProblem } from './auth-layout.js';
import { CsrfField } from './csrf-field.js';

export interface LoginPageProps {
  csrfToken: string;
  email?: string;
  problem?: string;
  notice?: string;
}

export function LoginPage({ csrfToken, email = '', problem, notice }: LoginPageProps) {
  return (
    <AuthLayout title="Log in">
      {notice ? <p class="notice">{notice}</p> : null}
      <FormProblem message={problem} />
      <form method="post" action="/admin/login" class="stack">
        <CsrfField token={csrfToken} />
        <label for="email">Email address</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={email} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" class="button">
          Log in
        </button>
      </form>
    </AuthLayout>
  );
}
