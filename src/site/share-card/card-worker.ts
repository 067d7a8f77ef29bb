// Runs in a worker thread: draws one share card, so that the serving thread never waits for it.
import { type CardInput, renderCard } from './render-card.js';

export default function drawCard(input: CardInput): Promise<Uint8Array> {
  return renderCard(input);
}
