// Turns an issue into each reader's mail: the MIME is built once per issue (mail/mime-template.ts) and
// only the personal slots (address, Message-ID, Date, unsubscribe and manage links, the VERP return path)
// are filled per reader; with DKIM, each mail is signed on libuv's threadpool while others are on the wire.
import type { Issue } from '../db/schema.js';
import type { DkimSigner } from '../mail/dkim-signer.js';
import { MimeTemplate, messagePieces } from '../mail/mime-template.js';
import type { Reader } from './issue-batches.js';
import type { Envelope } from './relay.js';
import type { VerpCodec } from './verp.js';

export interface PersonalLinks {
  manageUrl: string;
  unsubscribeUrl: string;
  /** Where a mail client's "unsubscribe" sends its mail (the bounce listener acts on it). */
  unsubscribeMailto: string;
}

export interface ComposerOptions {
  from: string;
  siteTitle: string;
  siteUrl: string;
  verp: VerpCodec;
  dkim?: DkimSigner | undefined;
  links(subscriberKey: string): PersonalLinks;
}

/** What composing needs of an issue (a test copy has no issue row). */
export type ComposableIssue = Pick<Issue, 'id' | 'note_slug' | 'subject' | 'html' | 'text' | 'snapshot_at'>;

export interface ComposedMail {
  envelope: Envelope;
  message: Buffer[];
  messageId: string;
}

/** RFC 5322 date-time in UTC, e.g. "Fri, 27 Nov 2026 09:00:00 +0000". */
export const mailDate = (date: Date) => date.toUTCString().replace(/GMT$/, '+0000');

export class IssueComposer {
  private readonly template: MimeTemplate;
  private readonly domain: string;

  constructor(
    readonly issue: ComposableIssue,
    private readonly o: ComposerOptions,
  ) {
    const host = new URL(o.siteUrl).hostname;
    this.domain = host;
    this.template = new MimeTemplate({
      headers: [
        ['From', o.from],
        ['Subject', issue.subject],
        // RFC 2919: one list per site, so mail filters can file every issue together.
        ['List-Id', `${o.siteTitle.replace(/[<>"]/g, '')} <newsletter.${host}>`],
        ['List-Archive', `<${o.siteUrl}/notes>`],
      ],
      personalHeaders: [
        ['To', '{{to}}'],
        ['Date', '{{date}}'],
        ['Message-ID', '{{messageId}}'],
        ['List-Unsubscribe', '<{{unsubscribeUrl}}>, <mailto:{{unsubscribeMailto}}>'],
        ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
      ],
      text: issue.text,
      html: issue.html,
      boundarySeed: `${issue.id}.${issue.note_slug}`,
    });
  }

  async compose(reader: Reader, date: Date): Promise<ComposedMail> {
    const ref = { kind: 'issue', issueId: this.issue.id, subscriberId: reader.id } as const;
    const messageId = this.o.verp.messageId(ref, this.domain);
    const links = this.o.links(reader.key);
    const filled = this.template.fill({
      to: reader.email,
      date: mailDate(date),
      messageId,
      unsubscribeUrl: links.unsubscribeUrl,
      unsubscribeMailto: links.unsubscribeMailto,
      manageUrl: links.manageUrl,
    });
    const signature = this.o.dkim ? [await this.o.dkim.sign(filled, date)] : [];
    return {
      envelope: { from: this.o.verp.returnPath(ref), to: reader.email },
      message: messagePieces(filled, signature),
      messageId,
    };
  }
}
