// `errorbudget preview <slug>`: prints a signed link that shows a draft or scheduled note on the running
// site to someone who is not the writer, until the link expires.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { ensureSecret } from '../config/ensure-secret.js';
import { loadContent } from '../content/load-content.js';
import { RenderCache } from '../content/render-cache.js';
import { defaultPreviewLifetime, PreviewSigner, parseLifetime } from '../site/preview-link.js';
import { noteUrl } from '../site/views/chrome.js';
import { isUnpublished } from '../site/views/unpublished-banner.js';
import { UserError } from '../user-error.js';
import { renderCacheDir } from './open-site.js';
import { configFrom, withContentOption } from './options.js';

export function registerPreview(program: Command): void {
  withContentOption(program.command('preview'))
    .description(
      'print a signed, expiring link to a draft or scheduled note on the running site, to show a reviewer (needs the same SECRET or DATA_DIR as serve)',
    )
    .argument('<slug>', 'the note (its file name without .md, or its slug:)')
    .option(
      '--expires <lifetime>',
      'how long the link works: 30m, 12h, 7d (at most 90d)',
      defaultPreviewLifetime,
    )
    .option('--site-url <url>', 'public URL of the running site (env SITE_URL)')
    .action(async (slug: string, options: { content?: string; siteUrl?: string; expires: string }) => {
      const lifetime = parseLifetime(options.expires);
      const config = configFrom(options);
      const snapshot = await loadContent({
        contentDir: config.contentDir,
        cache: new RenderCache(renderCacheDir(config)),
      });
      const note = snapshot.notes.find((candidate) => candidate.slug === slug);
      if (!note) {
        const broken =
          snapshot.errors.length > 0
            ? ` (${snapshot.errors.length} note(s) have problems: errorbudget check)`
            : '';
        throw new UserError(`no note has the slug "${slug}"${broken}`, config.contentDir);
      }
      const now = systemClock.now();
      if (!isUnpublished(note, now)) {
        process.stdout.write(`${config.siteUrl}${noteUrl(note)}\n`);
        process.stderr.write(`${note.file} is published: this is its public address.\n`);
        return;
      }
      const expiresAt = new Date(now.getTime() + lifetime);
      const signer = new PreviewSigner(ensureSecret(config));
      process.stdout.write(`${config.siteUrl}${signer.path(note.slug, expiresAt)}\n`);
      const until = new Intl.DateTimeFormat(snapshot.site.language, {
        timeZone: snapshot.site.timezone,
        dateStyle: 'long',
        timeStyle: 'short',
      }).format(expiresAt);
      process.stderr.write(
        `Works until ${until} (${snapshot.site.timezone}) on a site served with this SECRET; anyone with the link can read ${note.file}.\n`,
      );
    });
}
