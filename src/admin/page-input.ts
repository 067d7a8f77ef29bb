// Small readers of admin request input: a path id, a form field, and which outcome to announce.
import type { FastifyRequest } from 'fastify';

/** A database id from the path, or undefined (then the page answers 404). */
export function idParam(request: FastifyRequest): number | undefined {
  const { id } = request.params as { id?: string };
  return id !== undefined && /^[1-9]\d{0,14}$/.test(id) ? Number(id) : undefined;
}

/** A list page's `before` (the id its page starts below): absent, a positive id, or not one (`'bad'`, a 400). */
export function beforeParam(request: FastifyRequest): number | undefined | 'bad' {
  const { before } = request.query as { before?: unknown };
  if (before === undefined) return undefined;
  return typeof before === 'string' && /^[1-9]\d{0,14}$/.test(before) ? Number(before) : 'bad';
}

/** A text field of an urlencoded form; anything else is treated as missing. */
export function formField(request: FastifyRequest, name: string): string {
  const body = request.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}

/** What the redirect after an action asks the page to say; unknown keys say nothing. */
export function noticeOf(request: FastifyRequest, notices: Readonly<Record<string, string>>) {
  const { done } = request.query as { done?: unknown };
  return typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done] : undefined;
}

export function chromeOf(request: FastifyRequest) {
  return { admin: { email: request.admin.email }, csrfToken: request.csrfToken };
}
