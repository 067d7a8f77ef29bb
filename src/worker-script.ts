// Where a worker thread's module is: compiled JavaScript in the package, TypeScript (through tsx) in tests.
import { fileURLToPath } from 'node:url';

export function workerScript(moduleUrl: string, name: string): { filename: string; execArgv: string[] } {
  const fromSource = moduleUrl.endsWith('.ts');
  const filename = fileURLToPath(new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, moduleUrl));
  return { filename, execArgv: fromSource ? ['--import', 'tsx'] : [] };
}
