// What the subscriptions domain tells whoever watches it (the metrics): each action and its outcome.
// Outcomes are counted, never addresses.
export type SubscriptionAction = 'request' | 'decide' | 'confirm' | 'unsubscribe';

export interface SubscriptionObserver {
  subscription(action: SubscriptionAction, outcome: string): void;
}

export const unobservedSubscriptions: SubscriptionObserver = { subscription: () => undefined };
