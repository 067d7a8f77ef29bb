// The field for a six-digit code from an authenticator app, as phones offer to fill it.
export function TotpCodeField({ id }: { id: string }) {
  return (
    <>
      <label for={id}>Six-digit code</label>
      <input
        id={id}
        name="code"
        type="text"
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9 ]{6,7}"
        required
      />
    </>
  );
}
