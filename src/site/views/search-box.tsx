// The search box in every page's header: a plain GET form, so that it works without JavaScript.
import type { Chrome } from './chrome.js';

export function SearchBox({ chrome }: { chrome: Chrome }) {
  return (
    <search class="site-search">
      <form action={chrome.searchAction} method="get">
        <label class="sr-only" for="site-search-q">
          Search the notes
        </label>
        <input id="site-search-q" type="search" name="q" placeholder="Search notes" maxLength={200} />
        <button type="submit">Search</button>
      </form>
    </search>
  );
}
