// RSS 2.0, Atom 1.0 and JSON Feed 1.1 with each note's full content, links made absolute for feed readers.
import { Feed } from 'feed';
import type { Note } from '../content/load-content.js';
import type { Site } from '../content/schema.js';
import { noteUrl } from './views/chrome.js';

/** Notes a feed holds, newest first. */
export const feedSize = 20;

export interface Feeds {
  rss: string;
  atom: string;
  json: string;
}

/** The "#" links beside headings only make sense on the page; in a feed reader they are stray marks. */
const headingAnchor = /<a [^>]*class="anchor"[^>]*>#<\/a>/g;

/** Feed readers show content out of context: root-relative and in-page links must name the site. */
function absoluteLinks(html: string, siteUrl: string, pageUrl: string): string {
  return html
    .replace(headingAnchor, '')
    .replace(/ (href|src)="\/(?!\/)/g, ` $1="${siteUrl}/`)
    .replace(/ href="#/g, ` href="${pageUrl}#`);
}

export function buildFeeds(site: Site, siteUrl: string, notes: Note[]): Feeds {
  const recent = notes.slice(0, feedSize);
  const updated = recent[0] ? (recent[0].updated ?? recent[0].date) : new Date(0);
  const topicsBySlug = new Map(site.topics.map((topic) => [topic.slug, topic]));
  const items = recent.map((note) => {
    const url = `${siteUrl}${noteUrl(note)}`;
    return {
      note,
      url,
      content: absoluteLinks(note.html, siteUrl, url),
      topics: note.topics.map((slug) => topicsBySlug.get(slug) ?? { slug, name: slug }),
    };
  });

  // RSS 2.0's <author> must be an email address; a name goes in Dublin Core's dc:creator instead.
  const creator = site.person ?? site.author;
  const feed = new Feed({
    id: `${siteUrl}/`,
    link: `${siteUrl}/`,
    title: site.title,
    description: site.description,
    language: site.language,
    updated,
    generator: 'errorbudget',
    favicon: `${siteUrl}/favicon.svg`,
    copyright: `© ${site.author}`,
    feedLinks: { rss: `${siteUrl}/feed.xml`, atom: `${siteUrl}/atom.xml`, json: `${siteUrl}/feed.json` },
    author: { name: creator, link: `${siteUrl}/` },
  });
  for (const { note, url, content, topics } of items) {
    feed.addItem({
      title: note.title,
      id: url,
      link: url,
      guid: url,
      date: note.updated ?? note.date,
      published: note.date,
      description: note.summary,
      content,
      // Atom needs each category's term; the topic's page is its scheme, so term + scheme name it fully.
      category: topics.map((topic) => ({ name: topic.name, term: topic.slug, scheme: `${siteUrl}/topics/` })),
      extensions: [{ name: 'dc:creator', objects: { _text: creator } }],
    });
  }

  // The feed package writes JSON Feed 1.0; 1.1 (authors, language) is plain JSON, so it is built here.
  const json = {
    version: 'https://jsonfeed.org/version/1.1',
    title: site.title,
    home_page_url: `${siteUrl}/`,
    feed_url: `${siteUrl}/feed.json`,
    description: site.description,
    favicon: `${siteUrl}/favicon.svg`,
    language: site.language,
    authors: [{ name: creator, url: `${siteUrl}/` }],
    items: items.map(({ note, url, content, topics }) => ({
      id: url,
      url,
      title: note.title,
      summary: note.summary,
      content_html: content,
      date_published: note.date.toISOString(),
      date_modified: (note.updated ?? note.date).toISOString(),
      tags: topics.map((topic) => topic.name),
    })),
  };

  return { rss: feed.rss2(), atom: feed.atom1(), json: `${JSON.stringify(json, null, 2)}\n` };
}
