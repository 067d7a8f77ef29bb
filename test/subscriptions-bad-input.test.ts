import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/databases.js';
import { form, type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

const json = { 'content-type': 'application/json' };
const forged = 'AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

interface Case {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: string;
  status: number;
  says: RegExp;
}

const subscribeCases: Case[] = [
  [
    'CR/LF header injection',
    'victim@example.com\r\nBcc: everyone@example.com',
    /line breaks or control characters/,
  ],
  ['a bare LF', 'a@example.com\nb@example.com', /line breaks or control characters/],
  ['a NUL byte', 'a\u0000@example.com', /control characters/],
  ['321 characters', `${'a'.repeat(64)}@${'b'.repeat(250)}.com`, /too long/],
  ['a 65-character local part', `${'a'.repeat(65)}@example.com`, /before the @ is too long/],
  ['two @', 'a@b@example.com', /exactly one @/],
  ['no @', 'example.com', /exactly one @/],
  ['no dot in the domain', 'root@localhost', /needs a dot/],
  ['an empty field', '', /enter your email/],
  ['only spaces', '   ', /enter your email/],
  ['SQL metacharacters', "a'; drop table subscribers;--@example.com", /may only use/],
  ['a quoted SQL string', "x@example.com' OR '1'='1", /not a valid domain/],
  ['a unicode local part', 'jürgen@example.com', /may only use/],
  ['an emoji domain', 'a@☃', /needs a dot|not a valid domain/],
  ['a numeric top-level domain', 'a@1.2.3.4', /not a valid domain/],
  ['a label starting with a hyphen', 'a@-bad.example.com', /not a valid domain/],
  ['a leading dot', '.a@example.com', /may only use/],
].map(([name, email, says]) => ({
  name: `subscribe: ${name}`,
  method: 'POST',
  url: '/subscribe',
  headers: form,
  payload: `email=${encodeURIComponent(email as string)}&form=hero`,
  status: 400,
  says: says as RegExp,
}));

const cases: Case[] = [
  ...subscribeCases,
  {
    name: 'subscribe: missing email field',
    method: 'POST',
    url: '/subscribe',
    headers: form,
    payload: 'form=hero',
    status: 400,
    says: /enter your email/,
  },
  {
    name: 'subscribe: email given twice',
    method: 'POST',
    url: '/subscribe',
    headers: form,
    payload: 'email=a@example.com&email=b@example.com',
    status: 400,
    says: /enter your email/,
  },
  {
    name: 'subscribe: empty body',
    method: 'POST',
    url: '/subscribe',
    headers: form,
    payload: '',
    status: 400,
    says: /email/,
  },
  {
    name: 'subscribe: JSON array',
    method: 'POST',
    url: '/subscribe',
    headers: json,
    payload: '["a@example.com"]',
    status: 400,
    says: /email field/,
  },
  {
    name: 'subscribe: JSON number',
    method: 'POST',
    url: '/subscribe',
    headers: json,
    payload: '{"email": 42}',
    status: 400,
    says: /enter your email/,
  },
  {
    name: 'subscribe: broken JSON',
    method: 'POST',
    url: '/subscribe',
    headers: json,
    payload: '{"email": ',
    status: 400,
    says: /not valid JSON/,
  },
  {
    name: 'subscribe: text/plain',
    method: 'POST',
    url: '/subscribe',
    headers: { 'content-type': 'text/plain' },
    payload: 'a@example.com',
    status: 400,
    says: /an email field/,
  },
  {
    name: 'subscribe: XML',
    method: 'POST',
    url: '/subscribe',
    headers: { 'content-type': 'application/xml' },
    payload: '<email>a@example.com</email>',
    status: 415,
    says: /Unsupported content type/,
  },
  {
    name: 'subscribe: a 1 MB form',
    method: 'POST',
    url: '/subscribe',
    headers: form,
    payload: `email=${'a'.repeat(1_000_000)}@example.com`,
    status: 413,
    says: /too large/,
  },
  {
    name: 'subscribe: a 1 MB JSON body',
    method: 'POST',
    url: '/subscribe',
    headers: json,
    payload: JSON.stringify({ email: `${'a'.repeat(1_000_000)}@example.com` }),
    status: 413,
    says: /too large/,
  },
  {
    name: 'confirm: forged token (GET)',
    method: 'GET',
    url: '/confirm/not-a-real-token',
    status: 404,
    says: /not valid/,
  },
  {
    name: 'confirm: forged token (POST)',
    method: 'POST',
    url: `/confirm/${'x'.repeat(43)}`,
    headers: form,
    payload: 'automatic=1',
    status: 404,
    says: /not valid/,
  },
  {
    name: 'confirm: SQL in the token',
    method: 'POST',
    url: `/confirm/${encodeURIComponent("' or 1=1 --")}`,
    headers: form,
    payload: '',
    status: 404,
    says: /not valid/,
  },
  {
    name: 'confirm: canary with a forged value',
    method: 'GET',
    url: '/confirm/x/view?c=%27%3B--',
    status: 200,
    says: /use the button/,
  },
  {
    name: 'unsubscribe: forged token (GET)',
    method: 'GET',
    url: `/unsubscribe/${forged}`,
    status: 404,
    says: /not valid/,
  },
  {
    name: 'unsubscribe: forged token (POST)',
    method: 'POST',
    url: `/unsubscribe/${forged}`,
    headers: form,
    payload: '',
    status: 404,
    says: /not valid/,
  },
  {
    name: 'unsubscribe: forged one-click',
    method: 'POST',
    url: `/unsubscribe/${forged}`,
    headers: form,
    payload: 'List-Unsubscribe=One-Click',
    status: 404,
    says: /unknown link/,
  },
  {
    name: 'unsubscribe: a huge token',
    method: 'GET',
    url: `/unsubscribe/${'a'.repeat(5000)}`,
    status: 404,
    says: /not valid/,
  },
  { name: 'manage: forged token', method: 'GET', url: `/manage/${forged}`, status: 404, says: /not valid/ },
  {
    name: 'manage: forged data download',
    method: 'GET',
    url: `/manage/${forged}/data.json`,
    status: 404,
    says: /not valid/,
  },
  {
    name: 'manage: forged erase',
    method: 'POST',
    url: `/manage/${forged}/erase`,
    headers: form,
    payload: 'confirm=yes',
    status: 404,
    says: /not valid/,
  },
  {
    name: 'manage: unicode token',
    method: 'GET',
    url: `/manage/${encodeURIComponent('ü'.repeat(20))}`,
    status: 404,
    says: /not valid/,
  },
];

describe.each(engines)('bad input on %s', (engine) => {
  let t: SubscriptionApp;
  beforeAll(async () => {
    t = await startSubscriptionApp(engine);
  });
  afterAll(async () => t.close());

  it.each(cases)('$name → $status with a clear message, nothing written', async (c) => {
    const before = await t.counts();
    const response = await t.app.inject({
      method: c.method,
      url: c.url,
      headers: c.headers,
      payload: c.payload,
    });
    expect(response.statusCode).toBe(c.status);
    expect(response.body).toMatch(c.says);
    expect(response.body).not.toMatch(/\n\s+at |Error:/);
    expect(await t.counts()).toEqual(before);
  });

  it('answers a script in JSON with the same message', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: { ...json, accept: 'application/json' },
      payload: JSON.stringify({ email: 'a@b@c.com' }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'An email address has exactly one @, like you@example.com.' });
  });

  it('stores an international domain as punycode and a mixed-case domain in lower case', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: form,
      payload: `email=${encodeURIComponent('Anna@Bücher.Example')}`,
    });
    const row = await t.db
      .selectFrom('subscribers')
      .select('email')
      .where('email', 'like', 'Anna@%')
      .executeTakeFirst();
    expect(row?.email).toBe('Anna@xn--bcher-kva.example');
  });
});
