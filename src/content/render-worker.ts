// Runs in a worker thread: renders one note. Mistakes in the note come back as data, not as exceptions,
// because an error's class does not survive the trip between threads.
import { isUserError } from '../user-error.js';
import { renderMarkdown } from './markdown.js';
import type { RenderedNote, RenderInput } from './rendered-note.js';

export type RenderOutcome = { ok: true; rendered: RenderedNote } | { ok: false; message: string };

export default async function renderOutcome(input: RenderInput): Promise<RenderOutcome> {
  try {
    return { ok: true, rendered: await renderMarkdown(input) };
  } catch (error) {
    if (isUserError(error)) return { ok: false, message: error.message };
    throw error;
  }
}
