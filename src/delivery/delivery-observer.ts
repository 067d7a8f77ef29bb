// What the senders tell whoever watches them (the metrics): each relay reply, by path and class. An
// interface of delivery's own, so delivery does not depend on the metrics library.
import type { ReplyClass } from '../mail/reply-class.js';

export type DeliveryPath = 'outbox' | 'issue';
/** sent: the relay said 250; retry: the mail waits for another try; failed: it will not be sent. */
export type DeliveryOutcome = 'sent' | 'retry' | 'failed';

export interface DeliveryObserver {
  delivered(path: DeliveryPath, outcome: DeliveryOutcome, replyClass: ReplyClass | 'accepted'): void;
}

export const unobservedDeliveries: DeliveryObserver = { delivered: () => undefined };
