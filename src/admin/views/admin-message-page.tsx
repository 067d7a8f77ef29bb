// A page that says one thing to the admin (forbidden, not found), with a way back.
import { AuthLayout } from './auth-layout.js';

export function AdminMessagePage({ title, message }: { title: string; message: string }) {
  return (
    <AuthLayout title={title}>
      <p>{message}</p>
      <p>
        <a class="button" href="/admin">
          Back to the admin
        </a>
      </p>
    </AuthLayout>
  );
}
