// The admin's cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's link or form
// carries it), limited to /admin, and Secure whenever the request came over https, directly or through
// a trusted proxy (Fastify's request.protocol follows TRUST_PROXY). Readers never get a cookie.
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const sessionCookie = 'eb_admin';
/** Before login: the double-submit token of the login form, so no other site can log you in as someone. */
export const loginCookie = 'eb_admin_login';

export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  return parse(header)[name];
}

export function setCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  value: string,
  maxAgeSeconds?: number,
): void {
  appendSetCookie(
    reply,
    serialize(name, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: '/admin',
      ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
    }),
  );
}

export function clearCookie(request: FastifyRequest, reply: FastifyReply, name: string): void {
  setCookie(request, reply, name, '', 0);
}

function appendSetCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}
