// The frame of the pages before one is signed in (login, second factor): no navigation, one card.
import type { ComponentChildren } from 'preact';
import { AdminHead } from './admin-head.js';

export interface AuthLayoutProps {
  title: string;
  scripts?: string[];
  children: ComponentChildren;
}

export function AuthLayout({ title, scripts, children }: AuthLayoutProps) {
  return (
    <html lang="en">
      <AdminHead title={title} scripts={scripts} />
      <body class="admin admin-auth">
        <main id="main" class="auth-card">
          <p class="admin-brand">errorbudget admin</p>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A problem with what was sent, announced to screen readers as it appears. */
export function FormProblem({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="notice notice-error" role="alert">
      {message}
    </p>
  );
}
