// The `errorbudget` command: parses arguments and hands each subcommand its configuration.
import { Command, CommanderError } from 'commander';
import { isUserError } from '../user-error.js';
import { version } from '../version.js';
import { registerCheck } from './check.js';
import { registerDatabaseCommands } from './database-commands.js';
import { registerExport } from './export.js';
import { registerIssueCommands } from './issues.js';
import { registerNew } from './new.js';
import { registerServe } from './serve.js';
import { registerSubscribers } from './subscribers.js';
import { registerWorker } from './worker.js';

function buildProgram(): Command {
  const program = new Command('errorbudget')
    .description('Publish Markdown notes as a fast site and newsletter, with provable consent.')
    .version(version)
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerCheck(program);
  registerNew(program);
  registerExport(program);
  registerDatabaseCommands(program);
  registerSubscribers(program);
  registerIssueCommands(program);
  registerWorker(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (isUserError(error)) {
    process.stderr.write(`errorbudget: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(
    `errorbudget: unexpected failure, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 2;
}
