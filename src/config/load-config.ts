// Reads the environment (and an optional .env file) into one validated, frozen configuration object.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { UserError } from '../user-error.js';
import { plainErrors } from './plain-errors.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

const portSchema = z.coerce.number().int().min(0).max(65535);

/** Searches per client address per minute: far more than a person types, few enough that a script
 * cannot spend the server's CPU on them. */
export const defaultSearchRateLimit = 120;

const envSchema = z.object({
  PORT: portSchema.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SITE_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  CONTENT_DIR: z.string().min(1).optional(),
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
  LEDGER_CHECKPOINT_FILE: z.string().min(1).optional(),
  SUBSCRIBE_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  SEARCH_RATE_LIMIT: z.coerce.number().int().min(1).default(defaultSearchRateLimit),
  SUBSCRIBE_ORIGINS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const origins = value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      const bad = origins.find((origin) => !isOrigin(origin));
      if (bad) {
        ctx.addIssue({ code: 'custom', message: `"${bad}" is not an origin such as https://example.com` });
        return z.NEVER;
      }
      return origins.map((origin) => new URL(origin).origin);
    }),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value);
      if (typeof parsed === 'object' && 'problem' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      return parsed;
    }),
  SMTP_POOL: z.coerce.number().int().min(1).max(64).default(8),
  SEND_RATE: z.coerce.number().min(0).default(0),
  LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(30),
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  DKIM_SELECTOR: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/, 'must be a DNS label such as mail2026')
    .optional(),
  DKIM_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a domain name such as example.com')
    .optional(),
  BOUNCE_SMTP_PORT: portSchema.optional(),
  BOUNCE_SMTP_HOST: z.string().min(1).optional(),
  BOUNCE_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name such as bounce.example.com')
    .optional(),
  BOUNCE_TLS_KEY: z.string().min(1).optional(),
  BOUNCE_TLS_CERT: z.string().min(1).optional(),
  METRICS_PORT: portSchema.optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  SHUTDOWN_SECONDS: z.coerce.number().int().min(1).max(3600).default(25),
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
  /** Searches allowed per client address per minute. */
  readonly searchRateLimit: number;
  /** Origins of static copies of the site (errorbudget export) whose forms may subscribe here. */
  readonly subscribeOrigins: readonly string[];
  /** Which reverse proxies' X-Forwarded-For to believe (addresses, networks or a hop count); never all. */
  readonly trustProxy: TrustProxy;
  /** Where signed checkpoints of the ledger's head are appended: outside the database, by design. */
  readonly ledgerCheckpointFile: string;
  /** Connections to the relay kept busy at once. */
  readonly smtpPool: number;
  /** Issue mails per second at most, over all connections of a process; 0 = as fast as the relay takes. */
  readonly sendRate: number;
  /** How long mail a stopped process was sending waits before another process takes it over. */
  readonly leaseMs: number;
  readonly dkim: { privateKey: string; selector: string; domain: string } | undefined;
  /** The inbound listener for bounces and complaints, when BOUNCE_SMTP_PORT is set. */
  readonly bounce: {
    port: number | undefined;
    host: string;
    /** The domain of the VERP return paths; its MX must reach the listener. */
    domain: string;
    tls: { keyFile: string; certFile: string } | undefined;
  };
  /** Prometheus metrics, /healthz and /readyz for operators: never public. */
  readonly metrics: {
    /** A listener of their own (loopback by default) when set; 0 picks a free port. */
    port: number | undefined;
    host: string;
    /** A bearer token: /metrics on the main port too, and required on a non-loopback metrics port. */
    token: string | undefined;
  };
  /** How long a stopping process may take to finish requests and mails in flight before it exits anyway. */
  readonly shutdownMs: number;
}

export type Env = Record<string, string | undefined>;

/** Values given on the command line win over the environment, which wins over `.env`. */
export function loadConfig(env: Env, overrides: Env = {}, cwd = process.cwd()): Config {
  const merged = { ...readDotEnv(cwd), ...definedOnly(env), ...definedOnly(overrides) };
  const parsed = envSchema.safeParse(merged, { error: plainErrors });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new UserError(problems.join('; '), 'configuration');
  }
  const e = parsed.data;
  const dataDir = resolve(cwd, e.DATA_DIR);
  const publicHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  const siteUrl = (e.SITE_URL ?? `http://${publicHost}:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    siteUrl,
    dataDir,
    contentDir: resolve(cwd, e.CONTENT_DIR ?? defaultContentDir(cwd)),
    databaseUrl: e.DATABASE_URL ?? `sqlite:${resolve(dataDir, 'errorbudget.db')}`,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    secret: e.SECRET,
    logLevel: e.LOG_LEVEL,
    subscribeRateLimit: e.SUBSCRIBE_RATE_LIMIT,
    searchRateLimit: e.SEARCH_RATE_LIMIT,
    subscribeOrigins: Object.freeze(e.SUBSCRIBE_ORIGINS),
    trustProxy: e.TRUST_PROXY,
    ledgerCheckpointFile: e.LEDGER_CHECKPOINT_FILE
      ? resolve(cwd, e.LEDGER_CHECKPOINT_FILE)
      : resolve(dataDir, 'ledger-checkpoints'),
    smtpPool: e.SMTP_POOL,
    sendRate: e.SEND_RATE,
    leaseMs: e.LEASE_SECONDS * 1000,
    dkim: dkimFrom(e, cwd),
    bounce: {
      port: e.BOUNCE_SMTP_PORT,
      host: e.BOUNCE_SMTP_HOST ?? e.HOST,
      domain: e.BOUNCE_DOMAIN ?? new URL(siteUrl).hostname,
      tls: bounceTlsFrom(e, cwd),
    },
    metrics: metricsFrom(e),
    shutdownMs: e.SHUTDOWN_SECONDS * 1000,
  });
}

function metricsFrom(e: ParsedEnv): Config['metrics'] {
  const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(e.METRICS_HOST);
  if (!loopback && !e.METRICS_TOKEN)
    throw new UserError(
      `METRICS_HOST: ${e.METRICS_HOST} is not a loopback address; metrics there need METRICS_TOKEN, or they would be public`,
      'configuration',
    );
  return { port: e.METRICS_PORT, host: e.METRICS_HOST, token: e.METRICS_TOKEN };
}

type ParsedEnv = z.infer<typeof envSchema>;

/** All three settings or none; the key is PEM text or the path of a file holding it. */
function dkimFrom(e: ParsedEnv, cwd: string): Config['dkim'] {
  const given = [e.DKIM_PRIVATE_KEY, e.DKIM_SELECTOR, e.DKIM_DOMAIN].filter((v) => v !== undefined);
  if (given.length === 0) return undefined;
  if (!e.DKIM_PRIVATE_KEY || !e.DKIM_SELECTOR || !e.DKIM_DOMAIN)
    throw new UserError(
      'DKIM_PRIVATE_KEY, DKIM_SELECTOR and DKIM_DOMAIN go together: set all three or none',
      'configuration',
    );
  const value = e.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n');
  let privateKey = value;
  if (!value.includes('-----BEGIN')) {
    try {
      privateKey = readFileSync(resolve(cwd, value), 'utf8');
    } catch {
      throw new UserError(
        `is neither a PEM key nor a readable file (${value})`,
        'configuration: DKIM_PRIVATE_KEY',
      );
    }
  }
  return { privateKey, selector: e.DKIM_SELECTOR, domain: e.DKIM_DOMAIN.toLowerCase() };
}

function bounceTlsFrom(e: ParsedEnv, cwd: string): Config['bounce']['tls'] {
  if (!e.BOUNCE_TLS_KEY && !e.BOUNCE_TLS_CERT) return undefined;
  if (!e.BOUNCE_TLS_KEY || !e.BOUNCE_TLS_CERT)
    throw new UserError('BOUNCE_TLS_KEY and BOUNCE_TLS_CERT go together', 'configuration');
  return { keyFile: resolve(cwd, e.BOUNCE_TLS_KEY), certFile: resolve(cwd, e.BOUNCE_TLS_CERT) };
}

/** `./content`, as in this repository; a writer's own site folder (`errorbudget init`) is its own
 * content folder, so that commands run inside it need no --content. */
function defaultContentDir(cwd: string): string {
  return existsSync(resolve(cwd, 'site.yml')) && !existsSync(resolve(cwd, 'content', 'site.yml'))
    ? '.'
    : './content';
}

/** An origin is a scheme, a host and maybe a port: no path, query or credentials. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return /^https?:$/.test(url.protocol) && url.origin === text.replace(/\/$/, '').toLowerCase();
  } catch {
    return false;
  }
}

function readDotEnv(cwd: string): Env {
  const file = resolve(cwd, '.env');
  return existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}
