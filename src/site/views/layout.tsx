// The page shell: head metadata (canonical, OpenGraph, Twitter, feeds), header, skip link, footer.
import type { ComponentChildren } from 'preact';
import { cardSize } from '../share-card/card-size.js';
import { type Chrome, privacyPath } from './chrome.js';
import { SearchBox } from './search-box.js';

export interface PageMeta {
  title: string;
  description: string;
  path: string;
  type?: 'website' | 'article';
  published?: Date;
  jsonLd?: object;
  /** The share card's path; pages without their own show the site's. */
  image?: string;
  noindex?: boolean;
  current?: 'notes' | 'topics' | 'home' | 'search';
  /** Stylesheets after the site's (a note's code colours). */
  stylesheets?: string[] | undefined;
  /** Scripts from our own origin; every page works without them. */
  scripts?: string[];
}

const defaultScripts = ['/assets/subscribe.js'];

export function Layout({
  chrome,
  meta,
  children,
}: {
  chrome: Chrome;
  meta: PageMeta;
  children: ComponentChildren;
}) {
  const { site, siteUrl } = chrome;
  const canonical = `${siteUrl}${meta.path}`;
  const fullTitle = meta.title === site.title ? site.title : `${meta.title} — ${site.title}`;
  const image = `${siteUrl}${meta.image ?? chrome.siteCard}`;
  const imageAlt = meta.image ? `${meta.title} — ${site.title}` : `${site.title}: ${site.tagline}`;
  return (
    <html lang={site.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        <meta name="description" content={meta.description} />
        {meta.noindex ? <meta name="robots" content="noindex" /> : <link rel="canonical" href={canonical} />}
        <meta name="color-scheme" content="light dark" />
        <meta name="theme-color" content="#fbfaf7" media="(prefers-color-scheme: light)" />
        <meta name="theme-color" content="#121315" media="(prefers-color-scheme: dark)" />
        <meta property="og:site_name" content={site.title} />
        <meta property="og:type" content={meta.type ?? 'website'} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:url" content={canonical} />
        <meta property="og:locale" content={site.language.replace('-', '_')} />
        <meta property="og:image" content={image} />
        <meta property="og:image:type" content="image/png" />
        <meta property="og:image:width" content={String(cardSize.width)} />
        <meta property="og:image:height" content={String(cardSize.height)} />
        <meta property="og:image:alt" content={imageAlt} />
        {meta.published && <meta property="article:published_time" content={meta.published.toISOString()} />}
        <meta name="twitter:card" content="summary_large_image" />
        <meta name="twitter:title" content={meta.title} />
        <meta name="twitter:description" content={meta.description} />
        <meta name="twitter:image" content={image} />
        <meta name="twitter:image:alt" content={imageAlt} />
        <link rel="stylesheet" href={chrome.stylesheet} />
        {meta.stylesheets?.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="alternate" type="application/rss+xml" title={`${site.title} (RSS)`} href="/feed.xml" />
        <link rel="alternate" type="application/atom+xml" title={`${site.title} (Atom)`} href="/atom.xml" />
        <link
          rel="alternate"
          type="application/feed+json"
          title={`${site.title} (JSON Feed)`}
          href="/feed.json"
        />
        {(meta.scripts ?? defaultScripts).map((src) => (
          <script src={src} defer />
        ))}
        {meta.jsonLd && (
          <script
            type="application/ld+json"
            // JSON-LD is data, not script; "<" is escaped so that no string can close the element.
            dangerouslySetInnerHTML={{ __html: JSON.stringify(meta.jsonLd).replace(/</g, '\\u003c') }}
          />
        )}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/" aria-current={meta.current === 'home' ? 'page' : undefined}>
              {site.title}
            </a>
            <nav class="site-nav" aria-label="Main">
              <ul>
                <li>
                  <a href="/notes" aria-current={meta.current === 'notes' ? 'page' : undefined}>
                    Notes
                  </a>
                </li>
                <li>
                  <a href="/topics" aria-current={meta.current === 'topics' ? 'page' : undefined}>
                    Topics
                  </a>
                </li>
                <li>
                  <a href="/#subscribe">Subscribe</a>
                </li>
                <li>
                  <a href="/feed.xml">RSS</a>
                </li>
              </ul>
            </nav>
            <SearchBox chrome={chrome} />
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>
              {site.title} — {site.tagline}.
            </p>
            <p>
              No cookies, no trackers. <a href={privacyPath}>Privacy</a> · <a href="/feed.xml">RSS</a> ·{' '}
              <a href="/atom.xml">Atom</a> · <a href="/feed.json">JSON Feed</a>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}
