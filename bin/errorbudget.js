#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import('../dist/cli/main.js').then((cli) => cli.main(process.argv));
