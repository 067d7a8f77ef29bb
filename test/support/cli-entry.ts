// Runs the CLI from the TypeScript sources, so that CLI tests need no build.
import { main } from '../../src/cli/main.js';

await main(process.argv);
