// Heap settings for the commands that mail (`send`, `worker`). V8's defaults suit a web server: the young
// generation grows to two 16 MB semi-spaces, and the old generation may grow to several times what is live
// before a full collection. A sender allocates fast and keeps little (about 30 MB live), so those defaults
// were 32 MB of young generation and 40-70 MB of dead old-space objects at the peak of a send. Both flags
// are read by V8 whenever it resizes the heap, so setting them here, before the command loads, works
// without re-executing node; flags given in NODE_OPTIONS or on node's command line win.
import { setFlagsFromString } from 'node:v8';

/**
 * Keeps the young generation at the size it has when the command starts (4 MB semi-spaces in
 * bench/send-issue.ts: more scavenges, no measurable change in CPU per mail) and lets the old generation
 * grow 20% past what survived the last full collection.
 */
export function leanHeapForSending(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ');
  if (!/semi[-_]space/.test(given)) setFlagsFromString('--semi-space-growth-factor=1');
  if (!/heap[-_]growing|old[-_]space/.test(given)) setFlagsFromString('--heap-growing-percent=20');
}
