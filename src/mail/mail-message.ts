// A mail as the outbox keeps it: everything needed to send it again, identically, after a crash.
export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

export interface MailContext {
  siteTitle: string;
  siteUrl: string;
  postalAddress: string;
  /** The site's language tag (site.yml `language`): the mail's `lang`, as on the site's pages. */
  language: string;
}
