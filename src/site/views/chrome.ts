// What every page view needs to know about the site around it; built once per page-set build.
import type { Note } from '../../content/load-content.js';
import type { Site, Topic } from '../../content/schema.js';

export interface Chrome {
  site: Site;
  siteUrl: string;
  stylesheet: string;
  topicsBySlug: Map<string, Topic>;
  formatDate(date: Date): string;
  /** The share card of pages that have none of their own (the site's name and tagline). */
  siteCard: string;
  /** Where the subscribe forms post; null when a static export has no server to take them. */
  subscribeAction: string | null;
  /** Where the search box sends its query: `/search` here and on an export without a server, or the
   * search of the errorbudget an export names. */
  searchAction: string;
}

export function noteUrl(note: Pick<Note, 'slug'>): string {
  return `/notes/${note.slug}`;
}

/** The privacy notice, which every subscribe form and the footer link. */
export const privacyPath = '/privacy';

export function topicUrl(topic: Pick<Topic, 'slug'>): string {
  return `/topics/${topic.slug}`;
}
