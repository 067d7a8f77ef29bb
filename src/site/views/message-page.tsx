// A page that says one thing: not found, check your inbox, confirmed, and the like.
import type { ComponentChildren } from 'preact';
import type { Chrome } from './chrome.js';
import { Layout } from './layout.js';

interface Props {
  chrome: Chrome;
  title: string;
  path: string;
  children: ComponentChildren;
}

export function MessagePage({ chrome, title, path, children }: Props) {
  return (
    <Layout chrome={chrome} meta={{ title, description: title, path, noindex: true }}>
      <div class="narrow message-page">
        <h1>{title}</h1>
        {children}
      </div>
    </Layout>
  );
}

export function NotFoundPage({ chrome }: { chrome: Chrome }) {
  return (
    <MessagePage chrome={chrome} title="Page not found" path="/404">
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <a class="button" href="/notes">
          Browse all notes
        </a>{' '}
        <a class="button button-secondary" href="/">
          Go to the home page
        </a>
      </p>
    </MessagePage>
  );
}
