// GET /preview/<slug>?expires=…&signature=…: a draft or scheduled note shown to whoever holds a link
// signed by `errorbudget preview`, with its stylesheet and images behind the same signature. Rendered
// per request and never cached: the page cache holds public pages only.
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderToString } from 'preact-render-to-string';
import type { Clock } from '../clock.js';
import type { Note } from '../content/load-content.js';
import { imageTypes } from './build-pages.js';
import type { LiveSite } from './live-site.js';
import type { PreviewSigner } from './preview-link.js';
import { sendMessage } from './send-message.js';
import { noteUrl } from './views/chrome.js';
import { NotePage } from './views/note-page.js';
import { isUnpublished } from './views/unpublished-banner.js';

interface Previewed {
  note: Note;
  /** The link's own query, repeated on the stylesheet and images so that they pass the same check. */
  query: string;
  expiresAt: Date;
}

export async function previewRoutes(
  app: FastifyInstance,
  { live, signer, clock }: { live: LiveSite; signer: PreviewSigner; clock: Clock },
) {
  /** The note a link opens, or undefined when the answer has been sent instead. */
  async function previewed(request: FastifyRequest, reply: FastifyReply): Promise<Previewed | undefined> {
    const { slug } = request.params as { slug: string };
    const { expires, signature } = request.query as { expires?: unknown; signature?: unknown };
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    const check = signer.check(slug, expires, signature, clock.now());
    const listed = live.snapshot.notes.find((candidate) => candidate.slug === slug);
    const note = check === 'invalid' || !listed ? undefined : await live.note(listed);
    if (!note) {
      await sendMessage(live, request, reply, {
        status: 404,
        title: 'This preview link is not valid',
        message: 'The link may be incomplete, or the note was renamed. Ask the writer for a new link.',
      });
      return undefined;
    }
    if (check === 'expired') {
      await sendMessage(live, request, reply, {
        status: 410,
        title: 'This preview link has expired',
        message: 'Preview links work for a limited time. Ask the writer for a new link.',
      });
      return undefined;
    }
    if (live.isStale()) await live.refresh();
    if (!isUnpublished(note, clock.now())) {
      // Published meanwhile: the public page is the one to read, and to share.
      await reply.header('cache-control', 'no-store').redirect(noteUrl(note), 303);
      return undefined;
    }
    return {
      note,
      query: `?expires=${String(expires)}&signature=${String(signature)}`,
      expiresAt: new Date(Number(expires) * 1000),
    };
  }

  app.get('/preview/:slug', async (request, reply) => {
    const found = await previewed(request, reply);
    if (!found) return reply;
    const { note, query, expiresAt } = found;
    const base = `/preview/${note.slug}`;
    const page = NotePage({
      chrome: { ...live.current.chrome, stylesheet: `${base}/style.css${query}` },
      note: { ...note, html: withPreviewAssets(note, live.contentDir, base, query) },
      newer: undefined,
      older: undefined,
      // A draft's own card is drawn only once it is published; until then links show the site's.
      card: live.current.chrome.siteCard,
      unpublished: { via: 'preview', expiresAt },
    });
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>\n${renderToString(page)}`);
  });

  // The site's stylesheet has the code colours of the notes it shows; a preview adds its own.
  app.get('/preview/:slug/style.css', async (request, reply) => {
    const found = await previewed(request, reply);
    if (!found) return reply;
    const site = live.pages.get(live.current.chrome.stylesheet)?.body.toString('utf8') ?? '';
    return reply.type('text/css; charset=utf-8').send([site, ...found.note.codeCss].join('\n'));
  });

  app.get('/preview/:slug/*', async (request, reply) => {
    const found = await previewed(request, reply);
    if (!found) return reply;
    const wanted = `/${(request.params as { '*': string })['*']}`;
    const asset = found.note.assets.find(
      (candidate) => publicPath(live.contentDir, candidate.path) === wanted,
    );
    if (!asset)
      return sendMessage(live, request, reply, {
        status: 404,
        title: 'Not found',
        message: 'This note has no such image.',
      });
    const extension = wanted.slice(wanted.lastIndexOf('.') + 1).toLowerCase();
    return reply.type(imageTypes[extension] ?? 'application/octet-stream').send(await readFile(asset.path));
  });
}

function publicPath(contentDir: string, file: string): string {
  return `/${relative(contentDir, file).split(sep).join('/')}`;
}

/** Points the note's images at the preview's signed copies: the public site does not serve them yet. */
function withPreviewAssets(note: Note, contentDir: string, base: string, query: string): string {
  let html = note.html;
  for (const asset of note.assets) {
    const path = publicPath(contentDir, asset.path);
    const signed = `${base}${path}${query.replace(/&/g, '&amp;')}`;
    html = html
      .split(`src="${path}"`)
      .join(`src="${signed}"`)
      .split(`href="${path}"`)
      .join(`href="${signed}"`);
  }
  return html;
}
