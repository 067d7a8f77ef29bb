// Runs in a worker thread: compresses one page at the highest settings. Brotli at quality 11 on
// libuv's pool was seen to leave the serving thread about 20% slower for the rest of the process's
// life (bench/README.md); on a worker thread that is ended afterwards it leaves nothing behind.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export default function compressPage(body: Uint8Array): { gzip: Uint8Array; br: Uint8Array } {
  return {
    gzip: gzipSync(body, { level: 9 }),
    br: brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  };
}
