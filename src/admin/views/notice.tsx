// The one-line outcome of the action just taken, announced to screen readers.
export function Notice({ text, problem }: { text?: string | undefined; problem?: string | undefined }) {
  if (!text && !problem) return null;
  return (
    <p class={`notice ${problem ? 'notice-error' : 'notice-ok'}`} role="status">
      {problem ?? text}
    </p>
  );
}
