// "Send a test": one marked copy to the address the admin types, never counted as the mail.
import { CsrfField } from './csrf-field.js';

export function TestSendForm({
  action,
  csrfToken,
  address,
  problem,
}: {
  action: string;
  csrfToken: string;
  address: string;
  problem?: string | undefined;
}) {
  return (
    <form method="post" action={action} class="test-send">
      <CsrfField token={csrfToken} />
      <label for="test-address">Send a marked test copy to</label>
      <input
        id="test-address"
        name="address"
        type="email"
        required
        autocomplete="email"
        value={address}
        {...(problem ? { 'aria-invalid': 'true', 'aria-describedby': 'test-address-problem' } : {})}
      />
      {problem ? (
        <p id="test-address-problem" class="field-problem">
          {problem}
        </p>
      ) : null}
      <button type="submit">Send test</button>
    </form>
  );
}
