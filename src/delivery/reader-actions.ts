// What delivery may ask of the subscriptions domain when mail comes back. Delivery never writes a
// subscriber's status itself: the owner of that table decides, records it in the ledger, and is handed
// the transaction so that the bounce and its consequence commit together.
import type { Transaction } from 'kysely';
import type { BounceClass, Database } from '../db/schema.js';

export interface BounceFacts {
  source: 'smtp' | 'dsn' | 'arf' | 'text';
  class: BounceClass;
  status: string | undefined;
  /** Addresses redacted. */
  diagnostic: string;
  issueId?: number | undefined;
  outboxId?: number | undefined;
}

export interface ReaderActions {
  /** No more mail to this reader until they subscribe and confirm again. */
  suppress(trx: Transaction<Database>, subscriberId: number, why: BounceFacts, at: Date): Promise<void>;
  /** The reader marked our mail as spam: they leave the list, and are suppressed. */
  complained(trx: Transaction<Database>, subscriberId: number, why: BounceFacts, at: Date): Promise<void>;
}
