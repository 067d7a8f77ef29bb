// Runs in a worker thread: draws one share card, so that the serving thread never waits for it.
import { setImmediate } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type CardInput, renderCard } from './render-card.js';

// resvg-js (2.6) keeps each card's pixels, about 3 MB, in Rust memory that V8 is not told of: nothing
// makes the collector run for it, and drawing 1,000 cards held 3.4 GB (10,000: over 10 GB). A
// collection every few cards, and a turn of the event loop for the finalizers that free them (between
// tasks the thread waits on Atomics, where they never run).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const cardsPerCollection = 8;
let drawn = 0;

export default async function drawCard(input: CardInput): Promise<Uint8Array> {
  const png = await renderCard(input);
  if (++drawn % cardsPerCollection === 0) {
    collect();
    await setImmediate();
  }
  return png;
}
