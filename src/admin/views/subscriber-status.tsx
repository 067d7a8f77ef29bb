// A reader's status as a badge with words, never colour alone.
import type { SubscriberStatus } from '../../db/schema.js';

export const statusLabels: Record<SubscriberStatus, string> = {
  active: 'Active',
  pending: 'Pending',
  unsubscribed: 'Unsubscribed',
  suppressed: 'Suppressed',
};

export function StatusBadge({ status }: { status: SubscriberStatus }) {
  return <span class={`badge badge-${status}`}>{statusLabels[status]}</span>;
}
