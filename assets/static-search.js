// Search on a static copy of the site (`errorbudget export`): reads ?q=, asks the Pagefind index the
// export wrote under /pagefind/, and lists the notes as the server's search page does. The page's only
// script. Pagefind matches words in WebAssembly: a Content-Security-Policy on this page needs
// script-src 'self' 'wasm-unsafe-eval'.
const output = document.getElementById('search-output');
const input = document.getElementById('search-q');
const query = (new URLSearchParams(location.search).get('q') ?? '').trim().slice(0, 200);

function element(name, className, text) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Pagefind's excerpt is HTML with <mark>s: only its text and its marks are kept, never other markup. */
function excerpt(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  const paragraph = element('p', 'snippet');
  for (const node of template.content.childNodes)
    paragraph.append(node.nodeName === 'MARK' ? element('mark', '', node.textContent) : node.textContent);
  return paragraph;
}

function result(data) {
  const item = document.createElement('li');
  const meta = element('p', 'meta', [data.meta.date, ...(data.filters.topic ?? [])].filter(Boolean).join(' · '));
  const heading = element('h2');
  const link = element('a', '', data.meta.title);
  link.href = data.url;
  heading.append(link);
  item.append(meta, heading, excerpt(data.excerpt));
  return item;
}

async function search() {
  input.value = query;
  const status = element('p', 'search-summary', 'Searching…');
  status.setAttribute('role', 'status');
  output.replaceChildren(query ? status : '');
  if (!query) return;
  try {
    const pagefind = await import('/pagefind/pagefind.js');
    const found = await pagefind.search(query);
    const shown = await Promise.all(found.results.slice(0, 20).map((hit) => hit.data()));
    const total = found.results.length;
    status.textContent =
      total === 0
        ? `No note matches “${query}”.`
        : `${total} ${total === 1 ? 'note matches' : 'notes match'} “${query}”.`;
    const list = element('ol', 'search-results');
    list.append(...shown.map(result));
    output.replaceChildren(status, list);
  } catch {
    status.textContent = 'The search index of this site could not be loaded. Browse all notes or the topics instead.';
  }
}

if (output && input) search();
