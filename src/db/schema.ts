// The tables, as Kysely sees them. Times are ISO-8601 UTC strings: portable across both engines and
// sortable as text.
import type { Generated, Insertable, Selectable } from 'kysely';

export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'suppressed';

export interface SubscribersTable {
  id: Generated<number>;
  /** Public, random handle; personal links are signed over it so a leaked id reveals nothing. */
  key: string;
  email: string;
  email_hmac: string;
  status: SubscriberStatus;
  source: string;
  created_at: string;
  updated_at: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
}

export interface ConfirmationsTable {
  id: Generated<number>;
  subscriber_id: number;
  token_hash: string;
  canary_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** When a client fetched one of the mail's hidden links: from then on only a person's click confirms. */
  scanned_at: string | null;
  /** What the person agreed to when they asked: kept until confirmation writes it into the ledger. */
  proof: string;
}

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  subscriber_id: number | null;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  /** JSON object of extra headers (List-Unsubscribe and the like). */
  headers: string;
  message_id: string;
  status: OutboxStatus;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  lease_until: string | null;
  sent_at: string | null;
  last_error: string | null;
}

export interface LedgerEventsTable {
  seq: number;
  at: string;
  kind: string;
  email_hmac: string;
  /** JSON of the non-personal details (source, counts, reasons). */
  detail: string;
  /** JSON of the personal proof of consent (IP, user agent); erased on request, its hash stays. */
  proof: string | null;
  proof_hash: string | null;
  prev_hash: string;
  hash: string;
}

export interface Database {
  subscribers: SubscribersTable;
  confirmations: ConfirmationsTable;
  outbox: OutboxTable;
  ledger_events: LedgerEventsTable;
}

export type Subscriber = Selectable<SubscribersTable>;
export type NewOutboxMessage = Insertable<OutboxTable>;
export type OutboxMessage = Selectable<OutboxTable>;
export type LedgerEvent = Selectable<LedgerEventsTable>;
