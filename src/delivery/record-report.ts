// A report that came back through the bounce listener, applied: the same consequences as a refusal while
// sending (record-bounce.ts), and a loud line for the operator when it is a policy failure (DMARC, a
// blocklist), which is ours to fix and never the reader's fault.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { BounceVerdict } from './bounce-report.js';
import type { ReaderActions } from './reader-actions.js';
import { recordBounce } from './record-bounce.js';
import type { MailRef } from './verp.js';

export interface ReportContext {
  db: Db;
  actions: ReaderActions;
  log: Logger;
  clock: Clock;
}

export async function recordReport(c: ReportContext, ref: MailRef, verdict: BounceVerdict): Promise<void> {
  const outcome = await c.db.kysely.transaction().execute((trx) =>
    recordBounce(
      trx,
      c.actions,
      ref.subscriberId,
      {
        source: verdict.kind,
        class: verdict.class,
        status: verdict.status,
        diagnostic: verdict.diagnostic,
        ...(ref.kind === 'issue' ? { issueId: ref.issueId } : { outboxId: ref.outboxId }),
      },
      c.clock.now(),
    ),
  );
  const fields = { class: verdict.class, status: verdict.status, outcome, mail: ref.kind };
  if (verdict.class === 'policy')
    c.log.error(
      fields,
      'a receiving server refused our mail for policy (DMARC, SPF, a blocklist): check the sending domain; the reader is kept',
    );
  else c.log.info(fields, 'bounce report recorded');
}
