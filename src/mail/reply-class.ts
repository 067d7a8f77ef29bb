// How a relay's refusal is judged: by the stage it came at and its enhanced status (RFC 3463), not by
// its first digit alone. A 5xx is the reader's hard bounce only when it is about the reader's mailbox;
// a refused login, a refused sender or a policy reply is the sender's problem, and suppressing readers
// for it would silently drop everyone who subscribed while the relay was misconfigured.
import type { SmtpStage } from './smtp-client.js';

/** The command a reply answered ('message': the reply after the body). */
export type ReplyStage = SmtpStage;

/**
 * hard-bounce: the reader's address does not work (suppress them);
 * transient: try this mail again later;
 * sender: our configuration, reputation or content is refused; keep the mail, back off, tell the operator.
 */
export type ReplyClass = 'hard-bounce' | 'transient' | 'sender';

const stagesBeforeTheReader = new Set<ReplyStage>([
  'connect',
  'greeting',
  'ehlo',
  'starttls',
  'auth',
  'mail',
]);

export function classifyReply(stage: ReplyStage, code: number | undefined, enhanced?: string): ReplyClass {
  // No reply at all (a dropped connection, a timeout) or a 4xx: nothing is known to be wrong for good.
  if (code === undefined || code < 500) return 'transient';
  const [, subject = '', detail = ''] = /^5\.(\d{1,3})\.(\d{1,3})$/.exec(enhanced ?? '') ?? [];
  // 5.7 security/policy, 5.3 mail system, 5.4 routing, 5.5 protocol: about us or the relay, not the reader.
  if (['7', '3', '4', '5'].includes(subject)) return 'sender';
  if (stagesBeforeTheReader.has(stage)) return 'sender';
  // Mailbox full (5.2.2) may empty itself: a soft bounce.
  if (subject === '2' && detail === '2') return 'transient';
  if (stage === 'rcpt') return 'hard-bounce';
  // After DATA only an address status (5.1.x) or a disabled mailbox (5.2.1) names the reader; a bare 554
  // there is usually content filtering, which is ours to fix.
  if (subject === '1' || (subject === '2' && detail === '1')) return 'hard-bounce';
  return 'sender';
}

/** The enhanced status at the start of a reply's text, e.g. "5.1.1 <…>: Recipient address rejected". */
export function enhancedStatusOf(text: string | undefined): string | undefined {
  return /^\s*([245]\.\d{1,3}\.\d{1,3})\b/.exec(text ?? '')?.[1];
}
