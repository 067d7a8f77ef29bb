// The subscriptions domain as the rest of the program uses it: one object with one method per action,
// each delegating to the file named for that action (request, confirm, unsubscribe, personal data).
import type { Logger } from 'pino';
import type { Subscriber } from '../db/schema.js';
import { type AdminStatusOutcome, suppressByAdmin, unsuppress } from './admin-status.js';
import * as confirming from './confirm.js';
import { personalLinks, type Request, type SubscriptionContext } from './context.js';
import { erase, exportData } from './personal-data.js';
import { recordRequest, type SubscribeRequest } from './request.js';
import { RequestWorker } from './request-worker.js';
import { subscriberByKey } from './store.js';
import type { SubscriptionObserver } from './subscription-observer.js';
import { type UnsubscribeOutcome, unsubscribe } from './unsubscribe.js';

export type { ConfirmationState, ConfirmOutcome } from './confirm.js';
export type { Request } from './context.js';
export type { SubscribeRequest } from './request.js';

export interface SubscriptionsOptions extends SubscriptionContext {
  log: Logger;
  /** Tells the delivery worker a mail is waiting. */
  onQueued?: () => void;
  /** The local mailbox folder when mail is kept as files: erasure removes the person's mails from it. */
  localMailbox?: string;
  /** Tests shorten the request worker's poll. */
  pollMs?: number;
  /** Counts each action's outcome (the metrics). */
  observer?: SubscriptionObserver;
}

export class Subscriptions {
  /** Decides recorded subscribe requests; started and stopped with the other workers. */
  readonly requests: RequestWorker;

  constructor(private readonly o: SubscriptionsOptions) {
    this.requests = new RequestWorker(o, {
      log: o.log,
      ...(o.pollMs ? { pollMs: o.pollMs } : {}),
      ...(o.onQueued ? { onQueued: o.onQueued } : {}),
      ...(o.observer ? { observer: o.observer } : {}),
    });
  }

  personalLinks(subscriberKey: string) {
    return personalLinks(this.o, subscriberKey);
  }

  /** What the subscribe form does: records the request, decided later by `requests`. Says nothing back. */
  async record(r: SubscribeRequest): Promise<void> {
    await recordRequest(this.o, r);
    this.o.observer?.subscription('request', 'recorded');
  }

  /** Records the request and decides it now, for callers that want the outcome in the database at once. */
  async request(r: SubscribeRequest): Promise<void> {
    await recordRequest(this.o, r);
    await this.requests.runDue();
  }

  confirmationState(token: string): Promise<confirming.ConfirmationState> {
    return confirming.confirmationState(this.o, token);
  }

  noteCanary(canaryParameter: string): Promise<void> {
    return confirming.noteCanary(this.o, canaryParameter);
  }

  async confirm(token: string, r: Request & { automatic: boolean }): Promise<confirming.ConfirmOutcome> {
    const [outcome, queued] = await confirming.confirm(this.o, token, r);
    if (queued) this.o.onQueued?.();
    this.o.observer?.subscription('confirm', outcome.state);
    return outcome;
  }

  async findByToken(token: string): Promise<Subscriber | undefined> {
    const key = this.o.keys.subscriberKeyOf(token);
    return key ? subscriberByKey(this.o.db.kysely, key) : undefined;
  }

  async unsubscribe(token: string, r: Request & { how: string }): Promise<UnsubscribeOutcome> {
    const outcome = await unsubscribe(this.o, token, r);
    this.o.observer?.subscription('unsubscribe', outcome);
    return outcome;
  }

  exportData(subscriber: Subscriber) {
    return exportData(this.o, subscriber);
  }

  /** Forgets a person; false if another request already had. */
  erase(subscriber: Subscriber, requestedBy: 'subscriber' | 'admin' = 'subscriber'): Promise<boolean> {
    return erase(this.o, subscriber, this.o.localMailbox, requestedBy);
  }

  /** An admin stops all mail to a reader; the ledger event names the admin. */
  suppressByAdmin(subscriberId: number, admin: string): Promise<AdminStatusOutcome> {
    return suppressByAdmin(this.o, subscriberId, admin);
  }

  /** An admin lifts a reader's suppression; the ledger event names the admin. */
  unsuppress(subscriberId: number, admin: string): Promise<AdminStatusOutcome> {
    return unsuppress(this.o, subscriberId, admin);
  }
}
