// The hidden field every admin form carries: the session's CSRF token, checked on every POST.
export const csrfFieldName = '_csrf';

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={csrfFieldName} value={token} />;
}
