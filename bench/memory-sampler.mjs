// Loaded into a measured process with `node --import <this file>` (bench/send-issue.ts does it): every
// MEMORY_SAMPLE_MS it appends one JSON line to MEMORY_SAMPLES_FILE saying where the resident memory is —
// V8's spaces, buffers outside the heap, and the rest of the anonymous memory (malloc, thread stacks) —
// so a peak can be explained, not only measured. The sampling timer does not keep the process alive.
import { appendFileSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.MEMORY_SAMPLES_FILE;
const every = Number(process.env.MEMORY_SAMPLE_MS ?? 250);

function kb(text, name) {
  return Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
}

function sample() {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const spaces = {};
  let v8Kb = 0;
  for (const space of getHeapSpaceStatistics()) {
    const physical = Math.round(space.physical_space_size / 1024);
    spaces[space.space_name.replace(/_space$/, '')] = physical;
    v8Kb += physical;
  }
  const usage = process.memoryUsage();
  const anonKb = kb(rollup, 'Anonymous');
  appendFileSync(
    file,
    `${JSON.stringify({
      t: Date.now(),
      rssKb: kb(rollup, 'Rss'),
      fileKb: kb(rollup, 'Rss') - anonKb,
      anonKb,
      v8Kb,
      nativeKb: anonKb - v8Kb,
      heapUsedKb: Math.round(usage.heapUsed / 1024),
      externalKb: Math.round(usage.external / 1024),
      arrayBuffersKb: Math.round(usage.arrayBuffers / 1024),
      spaces,
    })}\n`,
  );
}

if (file) {
  sample();
  setInterval(sample, every).unref();
  process.on('exit', () => {
    sample();
    // Where the anonymous memory is, mapping by mapping, as the process ends (its peak is rarely far off).
    if (process.env.MEMORY_SMAPS_FILE)
      appendFileSync(process.env.MEMORY_SMAPS_FILE, readFileSync('/proc/self/smaps', 'utf8'));
  });
}
