// The second step of a login, for a session that has passed the password: a passkey, a TOTP code or a
// recovery code. Wrong answers count against the same limits as wrong passwords.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAdminAction } from './admin-actions.js';
import { refuseWith, wantsHtml } from './admin-answers.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { finishLogin } from './finish-login.js';
import { loginWait, recordLoginFailure, waitInWords } from './login-throttle.js';
import { authenticateWithPasskey, authenticationOptions, passkeysOf, type RelyingParty } from './passkeys.js';
import { useRecoveryCode } from './recovery-codes.js';
import type { SecretBox } from './secret-box.js';
import { sendAdminPage } from './send-admin-page.js';
import { setChallenge } from './sessions.js';
import { useTotpCode } from './totp.js';
import { SecondFactorPage } from './views/second-factor-page.js';

const codeForm = z.object({ code: z.string().max(64).default('') });
const passkeyAnswer = z.object({ response: z.object({ id: z.string().max(1024) }).passthrough() });

const atPassword = { config: { adminStage: 'password' as const } };

export function secondFactorRoutes(
  app: FastifyInstance,
  deps: AdminDependencies,
  tools: { box: SecretBox; rp: RelyingParty },
): void {
  const { db } = deps.services;

  async function page(request: FastifyRequest, reply: FastifyReply, problem?: string, status = 200) {
    const admin = await db.kysely
      .selectFrom('admins')
      .select('totp_secret')
      .where('id', '=', request.admin.id)
      .executeTakeFirst();
    const hasPasskey = (await passkeysOf(db, request.admin.id)).length > 0;
    return sendAdminPage(
      reply,
      <SecondFactorPage
        csrfToken={request.csrfToken}
        hasPasskey={hasPasskey}
        hasTotp={(admin?.totp_secret ?? null) !== null}
        {...(problem ? { problem } : {})}
      />,
      status,
    );
  }

  /** The wait before another try, or undefined when one may try now. */
  async function tooSoon(request: FastifyRequest): Promise<string | undefined> {
    const wait = await loginWait(db, deps.clock, request.ip, request.admin.email);
    return wait > 0 ? `Too many wrong answers. Try again in ${waitInWords(wait)}.` : undefined;
  }

  async function wrongAnswer(request: FastifyRequest, method: string): Promise<void> {
    await recordLoginFailure(db, deps.clock, request.ip, request.admin.email);
    await recordAdminAction(db, request.admin, 'second factor failed', { method }, deps.clock);
  }

  app.get('/login/second-factor', atPassword, async (request, reply) => {
    if (request.adminSession.stage === 'full') return reply.redirect('/admin', 303);
    return page(request, reply);
  });

  app.post('/login/totp', atPassword, async (request, reply) => {
    const blocked = await tooSoon(request);
    if (blocked) return page(request, reply, blocked, 429);
    const { code } = codeForm.parse(request.body ?? {});
    if (!(await useTotpCode(db, tools.box, deps.clock, request.admin.id, code))) {
      await wrongAnswer(request, 'totp');
      return page(request, reply, 'That code is not right (or was used already). Try the next one.', 401);
    }
    await finishLogin(deps, request, reply, 'totp');
    return reply.redirect('/admin', 303);
  });

  app.post('/login/recovery', atPassword, async (request, reply) => {
    const blocked = await tooSoon(request);
    if (blocked) return page(request, reply, blocked, 429);
    const { code } = codeForm.parse(request.body ?? {});
    if (!(await useRecoveryCode(db, deps.clock, request.admin.id, code))) {
      await wrongAnswer(request, 'recovery code');
      return page(request, reply, 'That recovery code is not valid, or was used already.', 401);
    }
    await recordAdminAction(db, request.admin, 'recovery code used', {}, deps.clock);
    await finishLogin(deps, request, reply, 'recovery code');
    return reply.redirect('/admin/settings/security', 303);
  });

  app.post('/login/passkey/options', atPassword, async (request, reply) => {
    const blocked = await tooSoon(request);
    if (blocked) return reply.code(429).send({ error: blocked });
    const options = await authenticationOptions(db, tools.rp, request.admin.id);
    await setChallenge(db, request.adminSession.id, options.challenge);
    return reply.send(options);
  });

  app.post('/login/passkey', atPassword, async (request, reply) => {
    const blocked = await tooSoon(request);
    if (blocked) return reply.code(429).send({ error: blocked });
    const challenge = request.adminSession.challenge;
    const answer = passkeyAnswer.safeParse(request.body);
    // A challenge is good for one answer, right or wrong.
    await setChallenge(db, request.adminSession.id, null);
    const ok =
      challenge !== null &&
      answer.success &&
      (await authenticateWithPasskey(
        db,
        deps.clock,
        tools.rp,
        request.admin.id,
        challenge,
        answer.data.response as unknown as AuthenticationResponseJSON,
      ));
    if (!ok) {
      await wrongAnswer(request, 'passkey');
      if (wantsHtml(request))
        return refuseWith(request, reply, 401, 'Passkey not accepted', 'That passkey was not accepted.');
      return reply.code(401).send({ error: 'That passkey was not accepted. Try again.' });
    }
    await finishLogin(deps, request, reply, 'passkey');
    return reply.send({ redirect: '/admin' });
  });
}
