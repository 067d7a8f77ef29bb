// A form that changes someone's subscription acts only when posted from this site. Browsers say where a
// POST came from in `Sec-Fetch-Site` (all current ones) and `Origin`; a POST from another site's page
// (a cross-site request forgery with a leaked link) is refused. A request with neither (curl, old
// clients) carries no cross-site signal and passes: the link itself is the credential.
import type { FastifyRequest } from 'fastify';

const sameSiteFetches = new Set(['same-origin', 'none']);

export function isFromThisSite(request: FastifyRequest, siteUrl: string): boolean {
  // Checked first because it is exact: our pages send `Referrer-Policy: no-referrer`, under which a
  // browser posts our own forms with `Origin: null`.
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string') return sameSiteFetches.has(fetchSite);
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  // Without Sec-Fetch-Site, `Origin: null` (a sandboxed frame, an opaque redirect) proves nothing: refused.
  return origin === new URL(siteUrl).origin || origin === `${request.protocol}://${request.host}`;
}
