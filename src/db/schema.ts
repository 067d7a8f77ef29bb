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
  /** Requests since the one that made the address pending; the `confirmed` event carries the count. */
  repeat_requests: Generated<number>;
}

/** A subscribe request as it came in, kept only until the worker has decided it. */
export interface SubscribeRequestsTable {
  id: Generated<number>;
  email: string;
  email_hmac: string;
  form: string;
  wording: string;
  ip: string;
  user_agent: string;
  requested_at: string;
  attempts: Generated<number>;
  lease_until: string | null;
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
  /** The keyed hash of the normalised mailbox, which the mail limits count by (null before 2026-11-26). */
  mailbox_hmac: string | null;
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
  /** How the relay's last refusal was judged (see mail/reply-class.ts). */
  last_reply_class: string | null;
}

/** held: waits for a person (published long before it was first seen, or stalled for a day). */
export type IssueState = 'held' | 'sending' | 'paused' | 'cancelled' | 'done';

export interface IssuesTable {
  id: Generated<number>;
  note_slug: string;
  subject: string;
  summary: string;
  note_url: string;
  /** The email, rendered once with the readers' personal slots, so every batch and resume sends the same. */
  html: string;
  text: string;
  state: IssueState;
  hold_reason: string | null;
  /** The last problem that was the sender's, not a reader's (a refused login, a refused sender). */
  last_error: string | null;
  published_at: string;
  created_at: string;
  /** Readers confirmed by this moment, with ids up to the max, are the issue's readers. */
  snapshot_at: string | null;
  snapshot_max_subscriber_id: number | null;
  recipients: Generated<number>;
  finished_at: string | null;
}

export type BatchState = 'queued' | 'leased' | 'done' | 'cancelled';

export interface IssueBatchesTable {
  id: Generated<number>;
  issue_id: number;
  first_subscriber_id: number;
  last_subscriber_id: number;
  /** The send-side cursor: every reader up to this id has the relay's 250 (or an exception row). */
  acked_through: number;
  sent: Generated<number>;
  failed: Generated<number>;
  deferred: Generated<number>;
  state: BatchState;
  worker: string | null;
  lease_until: string | null;
  checkpoint_at: string | null;
}

/** retry: a temporary refusal, tried again later; failed: refused for good; sent: delivered on a retry. */
export type ExceptionState = 'retry' | 'failed' | 'sent';

export interface IssueExceptionsTable {
  issue_id: number;
  subscriber_id: number;
  state: ExceptionState;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  code: number | null;
  /** The relay's reply, addresses redacted. */
  reply: string;
  created_at: string;
  updated_at: string;
}

export type BounceClass = 'hard' | 'soft' | 'policy' | 'complaint';

export interface BounceEventsTable {
  id: Generated<number>;
  subscriber_id: number | null;
  issue_id: number | null;
  outbox_id: number | null;
  /** smtp: refused while sending; dsn, arf, text: a report that came back later. */
  source: string;
  class: BounceClass;
  status: string | null;
  /** Addresses redacted. */
  diagnostic: string;
  received_at: string;
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
  /** 1: plain SHA-256 (events before 2026-11-26); 2: HMAC-SHA256 keyed from SECRET. */
  chain: Generated<number>;
}

/** The one row holding a keyed hash of the SECRET this database belongs to. */
export interface SecretFingerprintTable {
  id: number;
  fingerprint: string;
  created_at: string;
}

export interface AdminsTable {
  id: Generated<number>;
  email: string;
  /** Argon2id, in its PHC string form. */
  password_hash: string;
  /** 1: the next login must enrol a second factor before anything else. */
  second_factor_required: Generated<number>;
  /** The TOTP key, sealed with a key derived from SECRET; null when TOTP is not set up. */
  totp_secret: string | null;
  totp_last_step: number | null;
  created_at: string;
}

/** password: a second factor is still due; enrol: one must be set up before anything else; full. */
export type AdminSessionStage = 'password' | 'enrol' | 'full';

export interface AdminSessionsTable {
  id: Generated<number>;
  admin_id: number;
  /** sha256 of the cookie's token; the token itself is never stored. */
  token_hash: string;
  csrf_token: string;
  stage: AdminSessionStage;
  /** The WebAuthn challenge of a ceremony under way, if any. */
  challenge: string | null;
  created_at: string;
  last_seen_at: string;
  /** The absolute end of the session, however active it is. */
  expires_at: string;
}

export interface AdminPasskeysTable {
  id: Generated<number>;
  admin_id: number;
  /** base64url, as WebAuthn names it. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  counter: Generated<number>;
  /** JSON array of the authenticator's transports. */
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface AdminRecoveryCodesTable {
  id: Generated<number>;
  admin_id: number;
  /** sha256 of the code: each is long and random, so a fast hash suffices. */
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface AdminLoginFailuresTable {
  id: Generated<number>;
  /** `ip:<address>` or `account:<email>`. */
  key: string;
  at: string;
}

export interface Database {
  subscribers: SubscribersTable;
  confirmations: ConfirmationsTable;
  subscribe_requests: SubscribeRequestsTable;
  outbox: OutboxTable;
  ledger_events: LedgerEventsTable;
  secret_fingerprint: SecretFingerprintTable;
  issues: IssuesTable;
  issue_batches: IssueBatchesTable;
  issue_exceptions: IssueExceptionsTable;
  bounce_events: BounceEventsTable;
  admins: AdminsTable;
  admin_sessions: AdminSessionsTable;
  admin_passkeys: AdminPasskeysTable;
  admin_recovery_codes: AdminRecoveryCodesTable;
  admin_login_failures: AdminLoginFailuresTable;
}

export type Subscriber = Selectable<SubscribersTable>;
export type SubscribeRequestRow = Selectable<SubscribeRequestsTable>;
export type NewOutboxMessage = Insertable<OutboxTable>;
export type OutboxMessage = Selectable<OutboxTable>;
export type LedgerEvent = Selectable<LedgerEventsTable>;
export type Issue = Selectable<IssuesTable>;
export type IssueBatch = Selectable<IssueBatchesTable>;
export type Admin = Selectable<AdminsTable>;
export type AdminSession = Selectable<AdminSessionsTable>;
