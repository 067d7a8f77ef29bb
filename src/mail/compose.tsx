// Transactional mails: one source gives the HTML part (CSS inlined, nothing loaded from anywhere) and
// the text part. No tracking pixels, no redirecting links.
import juice from 'juice';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { MailContext, MailMessage } from './mail-message.js';

const css = `
body { margin: 0; padding: 0; background: #f6f5f1; }
.wrap { max-width: 560px; margin: 0 auto; padding: 32px 24px; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 16px; line-height: 1.6; color: #1d1d1b; }
.brand { font-size: 14px; letter-spacing: .04em; text-transform: lowercase; color: #6b6a64; margin: 0 0 24px; }
h1 { font-size: 22px; line-height: 1.3; margin: 0 0 16px; }
p { margin: 0 0 16px; }
.button { display: inline-block; background: #1d1d1b; color: #ffffff; text-decoration: none; padding: 12px 20px; border-radius: 6px; font-weight: 600; }
.link { word-break: break-all; color: #6b6a64; font-size: 14px; }
.foot { margin-top: 32px; padding-top: 16px; border-top: 1px solid #deddd6; font-size: 13px; color: #6b6a64; }
.foot a { color: #6b6a64; }
/* Outlook on Windows renders with Word, which ignores display:none and needs its own property. */
.canary { display: none; mso-hide: all; }
`;

function Frame({
  context,
  title,
  children,
}: {
  context: MailContext;
  title: string;
  children: ComponentChildren;
}) {
  return (
    <html lang={context.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>{title}</title>
      </head>
      <body>
        <div class="wrap">
          <p class="brand">{context.siteTitle}</p>
          {children}
        </div>
      </body>
    </html>
  );
}

function html(node: preact.VNode): string {
  return juice(`<!doctype html>${renderToString(node)}`, { extraCss: css, removeStyleTags: true });
}

/**
 * Inlining CSS costs most of a millisecond per mail, and a newsletter goes to thousands of people; so
 * each template is rendered and inlined once, with named slots, and only the slots are filled per mail.
 */
const templates = new Map<string, string>();
const slot = (name: string) => `__eb_slot_${name}__`;
const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function fromTemplate(key: string, build: () => preact.VNode, values: Record<string, string>): string {
  let template = templates.get(key);
  if (template === undefined) {
    if (templates.size > 100) templates.clear();
    template = html(build());
    templates.set(key, template);
  }
  return template.replace(/__eb_slot_([a-zA-Z0-9]+)__/g, (_, name: string) =>
    (values[name] ?? '').replace(/[&<>"']/g, (c) => escapes[c] ?? c),
  );
}

const footerText = (context: MailContext) =>
  `--\n${context.siteTitle} · ${context.siteUrl}\n${context.postalAddress}`;

export interface ConfirmationLinks {
  confirmUrl: string;
  /** Invisible to people; a client that fetches them is a scanner, not a person. */
  canaryUrls: string[];
}

export function confirmationMail(context: MailContext, to: string, links: ConfirmationLinks): MailMessage {
  const subject = `Confirm your subscription to ${context.siteTitle}`;
  const build = () => (
    <Frame context={context} title={subject}>
      {/* Should a mail client show them anyway, they lead to a page that points back at the button. */}
      {links.canaryUrls.map((_, i) => (
        <a class="canary" href={slot(`canary${i}`)}>
          Help with confirming
        </a>
      ))}
      <h1>One more step</h1>
      <p>
        Someone, hopefully you, asked to receive {context.siteTitle} at {slot('to')}. Confirm and the next
        note arrives on Friday.
      </p>
      <p>
        <a class="button" href={slot('confirm')}>
          Confirm my subscription
        </a>
      </p>
      <p class="link">{slot('confirm')}</p>
      <p>
        The link works for 48 hours. If you did not ask for this, ignore this mail: nothing more will be sent.
      </p>
      <p class="foot">
        {context.siteTitle} · <a href={context.siteUrl}>{context.siteUrl}</a>
        <br />
        {context.postalAddress}
      </p>
    </Frame>
  );
  const text = [
    `Someone, hopefully you, asked to receive ${context.siteTitle} at ${to}.`,
    '',
    'Confirm your subscription by opening this link within 48 hours:',
    links.confirmUrl,
    '',
    'If you did not ask for this, ignore this mail: nothing more will be sent.',
    '',
    footerText(context),
  ].join('\n');
  const values = {
    to,
    confirm: links.confirmUrl,
    ...Object.fromEntries(links.canaryUrls.map((u, i) => [`canary${i}`, u])),
  };
  const key = `confirmation ${links.canaryUrls.length} ${JSON.stringify(context)}`;
  return { to, subject, html: fromTemplate(key, build, values), text, headers: {} };
}

export interface PersonalLinks {
  manageUrl: string;
  unsubscribeUrl: string;
}

/** The List-Unsubscribe pair every mail to a subscriber carries (RFC 2369 and RFC 8058 one-click). */
function unsubscribeHeaders(links: PersonalLinks): Record<string, string> {
  return {
    'List-Unsubscribe': `<${links.unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

export function welcomeMail(context: MailContext, to: string, links: PersonalLinks): MailMessage {
  const subject = `Welcome to ${context.siteTitle}`;
  const build = () => (
    <Frame context={context} title={subject}>
      <h1>You are subscribed</h1>
      <p>
        Thank you for confirming. One deep technical note arrives every Friday morning; nothing else, and
        never anything from anyone else.
      </p>
      <p>
        Meanwhile, the archive is at <a href={`${context.siteUrl}/notes`}>{context.siteUrl}/notes</a>.
      </p>
      <p class="foot">
        You can <a href={slot('manage')}>see and manage what we keep about you</a>, or{' '}
        <a href={slot('unsubscribe')}>unsubscribe</a> in one click, at any time.
        <br />
        {context.siteTitle} · {context.postalAddress}
      </p>
    </Frame>
  );
  const text = [
    'You are subscribed. Thank you for confirming.',
    '',
    'One deep technical note arrives every Friday morning; nothing else, and never anything from anyone else.',
    `Meanwhile, the archive is at ${context.siteUrl}/notes`,
    '',
    `See and manage what we keep about you: ${links.manageUrl}`,
    `Unsubscribe in one click: ${links.unsubscribeUrl}`,
    '',
    footerText(context),
  ].join('\n');
  const values = { manage: links.manageUrl, unsubscribe: links.unsubscribeUrl };
  const body = fromTemplate(`welcome ${JSON.stringify(context)}`, build, values);
  return { to, subject, html: body, text, headers: unsubscribeHeaders(links) };
}
