// The landing page, in the order the owner wrote it: hero, premise, topics, latest, more, newsletter, stats.
import type { NoteMeta } from '../../content/parse-note.js';
import { type Chrome, topicUrl } from './chrome.js';
import { Layout } from './layout.js';
import { NewsletterBlock } from './newsletter-block.js';
import { NoteList, NoteTeaser } from './note-list.js';
import { SubscribeForm } from './subscribe-form.js';

const moreNotesCount = 5;

export function HomePage({ chrome, notes }: { chrome: Chrome; notes: NoteMeta[] }) {
  const { site } = chrome;
  const [latest, ...rest] = notes;
  return (
    <Layout
      chrome={chrome}
      meta={{ title: site.title, description: site.description, path: '/', current: 'home' }}
    >
      <section class="hero wrap" aria-labelledby="hero-title">
        <h1 id="hero-title">
          {site.hero.headline.map((line) => (
            <span key={line}>{line}</span>
          ))}
        </h1>
        <p class="lede">{site.hero.text}</p>
        {chrome.subscribeAction !== null && (
          <>
            <SubscribeForm id="hero" source="hero" action={chrome.subscribeAction} />
            <p class="small-print">{site.hero.smallPrint}</p>
          </>
        )}
      </section>

      <section class="section premise wrap" aria-labelledby="premise-title">
        <h2 id="premise-title">{site.premise.title}</h2>
        <p>{site.premise.text}</p>
      </section>

      <section class="section wrap" aria-labelledby="topics-title">
        <h2 id="topics-title">{site.topicsTitle}</h2>
        <ul class="topics">
          {site.topics.map((topic) => (
            <li key={topic.slug}>
              <a href={topicUrl(topic)}>
                <strong>{topic.name}</strong>
                <span>{topic.description}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>

      {latest && (
        <section class="section wrap" aria-labelledby="latest-title">
          <div class="section-head">
            <h2 id="latest-title">Latest note</h2>
            <a href="/notes">View all →</a>
          </div>
          <article class="latest">
            <NoteTeaser chrome={chrome} note={latest} heading="h3" />
          </article>
        </section>
      )}

      {rest.length > 0 && (
        <section class="section wrap" aria-labelledby="more-title">
          <h2 id="more-title">More notes</h2>
          <NoteList chrome={chrome} notes={rest.slice(0, moreNotesCount)} />
        </section>
      )}

      <section class="section section-boxed wrap" id="subscribe" aria-labelledby="newsletter-title">
        <NewsletterBlock site={site} source="newsletter" action={chrome.subscribeAction} />
      </section>

      {site.stats.length > 0 && (
        <section class="section wrap" aria-label="About the writer">
          <dl class="stats">
            {site.stats.map((stat) => (
              <div key={stat.label}>
                <dt>{stat.value}</dt>
                <dd>{stat.label}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
    </Layout>
  );
}
