// The list of topics, and one page per topic with its notes.
import type { NoteMeta } from '../../content/parse-note.js';
import type { Topic } from '../../content/schema.js';
import { type Chrome, topicUrl } from './chrome.js';
import { Layout } from './layout.js';
import { NoteList } from './note-list.js';

export function TopicPage({ chrome, topic, notes }: { chrome: Chrome; topic: Topic; notes: NoteMeta[] }) {
  return (
    <Layout
      chrome={chrome}
      meta={{ title: topic.name, description: topic.description, path: topicUrl(topic), current: 'topics' }}
    >
      <div class="wrap">
        <header class="page-header">
          <p class="eyebrow">Topic</p>
          <h1>{topic.name}</h1>
          <p>{topic.description}</p>
        </header>
        {notes.length === 0 ? (
          <p>No notes on this topic yet.</p>
        ) : (
          <NoteList chrome={chrome} notes={notes} heading="h2" />
        )}
      </div>
    </Layout>
  );
}

export function TopicsPage({ chrome, counts }: { chrome: Chrome; counts: Map<string, number> }) {
  const { site } = chrome;
  return (
    <Layout
      chrome={chrome}
      meta={{
        title: site.topicsTitle,
        description: `The topics of ${site.title}.`,
        path: '/topics',
        current: 'topics',
      }}
    >
      <div class="wrap">
        <header class="page-header">
          <h1>{site.topicsTitle}</h1>
        </header>
        <ul class="topics">
          {site.topics.map((topic) => (
            <li key={topic.slug}>
              <a href={topicUrl(topic)}>
                <strong>{topic.name}</strong>
                <span>{topic.description}</span>
                <span class="count">
                  {counts.get(topic.slug) ?? 0} {counts.get(topic.slug) === 1 ? 'note' : 'notes'}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </div>
    </Layout>
  );
}
