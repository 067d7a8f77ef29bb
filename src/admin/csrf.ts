// CSRF protection for every state-changing admin request: the session's token must come back in the
// form field `_csrf` (urlencoded or multipart, where it must precede the file) or the `x-csrf-token`
// header. SameSite=Strict already keeps other sites' requests from carrying the cookie; this holds
// even where a browser or a subdomain gets around SameSite.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { csrfFieldName } from './views/csrf-field.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(request: FastifyRequest): boolean {
  return !safeMethods.has(request.method);
}

export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined || expected.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The token a request carries. A multipart body is read up to its first file, whose stream is left
 * unread: the route's own `request.file()` then answers that same file (with the fields before it).
 */
export async function csrfTokenOf(request: FastifyRequest): Promise<string | undefined> {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  if (request.isMultipart()) {
    const upload = await request.file();
    request.file = async () => upload;
    const field = upload?.fields[csrfFieldName];
    return field && !Array.isArray(field) && field.type === 'field' ? String(field.value) : undefined;
  }
  const body = request.body;
  if (body && typeof body === 'object' && csrfFieldName in body) {
    const value = (body as Record<string, unknown>)[csrfFieldName];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
