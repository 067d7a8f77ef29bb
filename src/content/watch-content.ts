// Watches the content folder and calls back once per burst of edits (editors save in several steps).
import { relative, sep } from 'node:path';
import { watch } from 'chokidar';

const settleMs = 150;

export interface ContentWatcher {
  /** Resolves once the initial scan is done and edits from then on are seen. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function watchContent(contentDir: string, onChange: () => Promise<unknown>): ContentWatcher {
  // Editors' swap and backup files start with a dot; the content folder itself may sit under one.
  const isHidden = (path: string) =>
    relative(contentDir, path)
      .split(sep)
      .some((part) => part.startsWith('.'));
  const watcher = watch(contentDir, { ignoreInitial: true, ignored: isHidden });
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(onChange).then(
        () => undefined,
        () => undefined,
      );
    }, settleMs);
  });
  return {
    ready: new Promise((resolve) => watcher.once('ready', () => resolve())),
    async close() {
      clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
