// sitemap.xml and robots.txt.
import { Readable } from 'node:stream';
import { SitemapStream, streamToPromise } from 'sitemap';

export interface SitemapEntry {
  path: string;
  lastModified?: Date;
}

export async function buildSitemap(siteUrl: string, entries: SitemapEntry[]): Promise<string> {
  const stream = new SitemapStream({
    hostname: `${siteUrl}/`,
    xmlns: { news: false, xhtml: false, image: false, video: false },
  });
  const links = entries.map((entry) => ({ url: entry.path, lastmod: entry.lastModified?.toISOString() }));
  return (await streamToPromise(Readable.from(links).pipe(stream))).toString();
}

export function buildRobots(siteUrl: string): string {
  // Personal links (confirm, manage, unsubscribe) must never be crawled or indexed.
  return [
    'User-agent: *',
    'Allow: /',
    'Disallow: /confirm/',
    'Disallow: /manage/',
    'Disallow: /unsubscribe/',
    '',
    `Sitemap: ${siteUrl}/sitemap.xml`,
    '',
  ].join('\n');
}
