// The frame of every signed-in admin page: the navigation to the seven sections, who is signed in, and
// the logout button (a form: logging out changes state, so it is a POST with the CSRF token).
import type { ComponentChildren } from 'preact';
import { AdminHead } from './admin-head.js';
import { CsrfField } from './csrf-field.js';

export type AdminSection =
  | 'dashboard'
  | 'subscribers'
  | 'notes'
  | 'issues'
  | 'mailbox'
  | 'ledger'
  | 'settings';

export const adminSections: readonly { section: AdminSection; label: string; href: string }[] = [
  { section: 'dashboard', label: 'Dashboard', href: '/admin' },
  { section: 'subscribers', label: 'Subscribers', href: '/admin/subscribers' },
  { section: 'notes', label: 'Notes', href: '/admin/notes' },
  { section: 'issues', label: 'Issues', href: '/admin/issues' },
  { section: 'mailbox', label: 'Mailbox', href: '/admin/mailbox' },
  { section: 'ledger', label: 'Ledger', href: '/admin/ledger' },
  { section: 'settings', label: 'Settings', href: '/admin/settings' },
];

export interface AdminLayoutProps {
  title: string;
  section: AdminSection;
  admin: { email: string };
  csrfToken: string;
  /** Extra stylesheets under /admin/assets/, by file name. */
  styles?: string[];
  /** Scripts under /admin/assets/, by file name, loaded with defer; pages must work without them. */
  scripts?: string[];
  children: ComponentChildren;
}

export function AdminLayout({
  title,
  section,
  admin,
  csrfToken,
  styles,
  scripts,
  children,
}: AdminLayoutProps) {
  return (
    <html lang="en">
      <AdminHead title={title} styles={styles} scripts={scripts} />
      <body class="admin">
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="admin-header">
          <a class="admin-brand" href="/admin">
            errorbudget admin
          </a>
          <nav class="admin-nav" aria-label="Admin sections">
            <ul>
              {adminSections.map((item) => (
                <li key={item.section}>
                  <a href={item.href} aria-current={item.section === section ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <form class="admin-logout" method="post" action="/admin/logout">
            <CsrfField token={csrfToken} />
            <span class="admin-who">{admin.email}</span>
            <button type="submit" class="button button-secondary">
              Log out
            </button>
          </form>
        </header>
        <main id="main" class="admin-main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
