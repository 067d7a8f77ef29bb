// The version of this errorbudget, as package.json states it: shown by --version and in upgrade messages.
import { readFileSync } from 'node:fs';

export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
