#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code between starts: compiling our modules and Fastify's is a good
// part of how long `serve` takes to answer. Node 20 has no such cache and goes on without it.
module.enableCompileCache?.();
import('../dist/cli/main.js').then((cli) => cli.main(process.argv));
