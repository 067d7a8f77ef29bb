// The `errorbudget` command: parses arguments and hands each subcommand its configuration.
import { Command, CommanderError } from 'commander';
import { isUserError } from '../user-error.js';
import { version } from '../version.js';
import { whereDataLives } from './help-footer.js';
import { leanHeapForSending } from './lean-heap.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when its command runs: `send` and `worker` then never load the web
 * server, the page views or the feeds, which is most of a long-running sender's memory. Help, and a word
 * that names no command, load them all.
 */
const modules = {
  init: async () => (await import('./init.js')).registerInit,
  serve: async () => (await import('./serve.js')).registerServe,
  check: async () => (await import('./check.js')).registerCheck,
  new: async () => (await import('./new.js')).registerNew,
  export: async () => (await import('./export.js')).registerExport,
  preview: async () => (await import('./preview.js')).registerPreview,
  database: async () => (await import('./database-commands.js')).registerDatabaseCommands,
  subscribers: async () => (await import('./subscribers.js')).registerSubscribers,
  issues: async () => (await import('./issues.js')).registerIssueCommands,
  worker: async () => (await import('./worker.js')).registerWorker,
  admin: async () => (await import('./admin.js')).registerAdminCommands,
  backup: async () => {
    const { registerBackupCommands } = await import('./backup-commands.js');
    return (program: Command) => registerBackupCommands(program, version);
  },
} satisfies Record<string, () => Promise<Register>>;

/** The module that registers each command. */
const moduleOf: Record<string, keyof typeof modules> = {
  init: 'init',
  serve: 'serve',
  check: 'check',
  new: 'new',
  export: 'export',
  preview: 'preview',
  migrate: 'database',
  audit: 'database',
  mailbox: 'database',
  subscribers: 'subscribers',
  send: 'issues',
  issues: 'issues',
  pause: 'issues',
  resume: 'issues',
  cancel: 'issues',
  outbox: 'issues',
  worker: 'worker',
  admin: 'admin',
  backup: 'backup',
  restore: 'backup',
};

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('errorbudget')
    .description('Publish Markdown notes as a fast site and newsletter, with provable consent.')
    .version(version)
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('afterAll', ({ command }) => whereDataLives(command));
  const name = moduleOf[argv[2] ?? ''];
  for (const load of name ? [modules[name]] : Object.values(modules)) (await load())(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `errorbudget mailbox | head`: the reader has what it wanted; stop quietly, as `ls | head` does.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  // Before the command's modules load: the young generation stays at the size it has now.
  if (argv[2] === 'send' || argv[2] === 'worker') leanHeapForSending();
  try {
    const program = await buildProgram(argv);
    if (argv.length <= 2) return void program.outputHelp();
    await program.parseAsync(argv);
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
