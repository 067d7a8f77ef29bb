// `errorbudget admin create <email>`: makes an admin, with a password read from a hidden prompt or from
// standard input (for scripts), never from the command line where `ps` and shell history would keep it.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { createAdmin } from '../admin/admin-store.js';
import { minimumPasswordLength } from '../admin/passwords.js';
import { systemClock } from '../clock.js';
import { openDatabaseFor } from '../server/open-services.js';
import { UserError } from '../user-error.js';
import { configFrom } from './options.js';

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('manage the people who may log in to /admin');
  admin
    .command('create')
    .description(
      `add an admin who logs in at <SITE_URL>/admin/login with this address and a password of at least ${minimumPasswordLength} characters`,
    )
    .argument('<email>', "the admin's email address (their login name)")
    .option('--password-stdin', 'read the password from standard input (its first line) instead of a prompt')
    .option(
      '--require-2fa',
      'make the first login set up a second factor (a passkey or an authenticator app) before anything else',
    )
    .action(async (email: string, options: { passwordStdin?: boolean; require2fa?: boolean }) => {
      const config = configFrom({});
      const password = options.passwordStdin ? await firstLineOfStdin() : await promptPassword();
      const db = await openDatabaseFor(config);
      try {
        const created = await createAdmin(db, systemClock, {
          email,
          password,
          requireSecondFactor: options.require2fa === true,
        });
        process.stdout.write(
          `admin ${created.email} created; log in at ${config.siteUrl}/admin/login` +
            `${options.require2fa ? ' (a second factor is set up at the first login)' : ''}\n`,
        );
      } finally {
        await db.close();
      }
    });
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new UserError('no password on standard input', '--password-stdin');
  return line;
}

/** Asks twice, echoing nothing. */
async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY)
    throw new UserError('no terminal to ask for the password: pass it with --password-stdin', 'password');
  const first = await askHidden('Password: ');
  const second = await askHidden('Password again: ');
  if (first !== second) throw new UserError('the two passwords differ', 'password');
  return first;
}

function askHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
