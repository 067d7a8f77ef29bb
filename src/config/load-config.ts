// Reads the environment (and an optional .env file) into one validated, frozen configuration object.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { UserError } from '../user-error.js';

const portSchema = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  PORT: portSchema.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SITE_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  CONTENT_DIR: z.string().min(1).default('./content'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SUBSCRIBE_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|[0-9a-fA-F.:/,\s]+)$/,
      'must be true, false, or a comma-separated list of proxy addresses',
    )
    .default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly siteUrl: string;
  readonly dataDir: string;
  readonly contentDir: string;
  readonly databaseUrl: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string | undefined;
  readonly secret: string | undefined;
  readonly logLevel: string;
  /** Subscribe requests allowed per client address per minute. */
  readonly subscribeRateLimit: number;
  /** Whether (or which) reverse proxies' X-Forwarded-For to believe for the client address. */
  readonly trustProxy: boolean | string[];
}

export type Env = Record<string, string | undefined>;

/** Values given on the command line win over the environment, which wins over `.env`. */
export function loadConfig(env: Env, overrides: Env = {}, cwd = process.cwd()): Config {
  const merged = { ...readDotEnv(cwd), ...definedOnly(env), ...definedOnly(overrides) };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new UserError(problems.join('; '), 'configuration');
  }
  const e = parsed.data;
  const dataDir = resolve(cwd, e.DATA_DIR);
  const publicHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    siteUrl: (e.SITE_URL ?? `http://${publicHost}:${e.PORT}`).replace(/\/+$/, ''),
    dataDir,
    contentDir: resolve(cwd, e.CONTENT_DIR),
    databaseUrl: e.DATABASE_URL ?? `sqlite:${resolve(dataDir, 'errorbudget.db')}`,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    secret: e.SECRET,
    logLevel: e.LOG_LEVEL,
    subscribeRateLimit: e.SUBSCRIBE_RATE_LIMIT,
    trustProxy:
      e.TRUST_PROXY === 'true'
        ? true
        : e.TRUST_PROXY === 'false'
          ? false
          : e.TRUST_PROXY.split(',').map((a) => a.trim()),
  });
}

function readDotEnv(cwd: string): Env {
  const file = resolve(cwd, '.env');
  return existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}
