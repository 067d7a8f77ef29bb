// A wide table's scrolling box: a named region in the tab order, so a keyboard can scroll it too
// (WCAG 2.1.1), as the notes' own tables do (content/tables.ts).
import type { ComponentChildren } from 'preact';

export function ScrollRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a <section> would add an outline entry per table.
    <div class="table-scroll" role="region" aria-label={label} tabindex={0}>
      {children}
    </div>
  );
}
