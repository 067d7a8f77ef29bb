// /admin/settings/security: an admin's own passkeys, authenticator app and recovery codes. An admin
// created with --require-2fa is held here after the password until one second factor is set up.
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAdminAction } from './admin-actions.js';
import type { AdminDependencies } from './admin-dependencies.js';
import { findAdmin } from './admin-store.js';
import { moveSessionTo } from './finish-login.js';
import {
  passkeysOf,
  type RelyingParty,
  registerPasskey,
  registrationOptions,
  removePasskey,
} from './passkeys.js';
import { deleteRecoveryCodes, newRecoveryCodes, unusedRecoveryCodes } from './recovery-codes.js';
import { hasSecondFactor, secondFactorCount } from './second-factors.js';
import type { SecretBox } from './secret-box.js';
import { sendAdminPage } from './send-admin-page.js';
import { endSessionsOf, setChallenge } from './sessions.js';
import { disableTotp, enableTotp, newTotpSecret, sealTotpSecret, totpEnrolment, totpStep } from './totp.js';
import { SecurityPage, type SecurityPageProps } from './views/security-page.js';

const atEnrol = { config: { adminStage: 'enrol' as const } };
const base = '/settings/security';

const passkeyForm = z.object({
  name: z.string().trim().max(60).optional(),
  response: z.object({ id: z.string().max(1024) }).passthrough(),
});
const totpForm = z.object({ code: z.string().max(16).default(''), sealed: z.string().max(512).default('') });

type Extra = Pick<SecurityPageProps, 'notice' | 'newRecoveryCodes' | 'totpSetup'>;

export function securityPages(
  app: FastifyInstance,
  deps: AdminDependencies,
  tools: { box: SecretBox; rp: RelyingParty },
): void {
  const { db } = deps.services;
  const pendingContext = (request: FastifyRequest) => `totp-pending:${request.adminSession.id}`;

  async function page(request: FastifyRequest, reply: FastifyReply, extra: Extra = {}, status = 200) {
    const admin = await findAdmin(db, request.admin.id);
    return sendAdminPage(
      reply,
      <SecurityPage
        admin={request.admin}
        csrfToken={request.csrfToken}
        passkeys={await passkeysOf(db, request.admin.id)}
        hasTotp={(admin?.totp_secret ?? null) !== null}
        recoveryCodesLeft={await unusedRecoveryCodes(db, request.admin.id)}
        mustEnrol={request.adminSession.stage === 'enrol'}
        {...extra}
      />,
      status,
    );
  }

  /** After the first second factor of a session held for enrolment: the login is complete. */
  async function afterEnrolment(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Sessions elsewhere were opened with the password alone: they end with the change of factors.
    await endSessionsOf(db, request.admin.id, request.adminSession.id);
    if (request.adminSession.stage === 'enrol') {
      await moveSessionTo(deps, request, reply, 'full');
      await recordAdminAction(db, request.admin, 'login', { method: 'enrolment' }, deps.clock);
    }
  }

  /** May one factor go? Not the last one of an admin who must have one. */
  async function mayRemoveOne(request: FastifyRequest): Promise<boolean> {
    const admin = await findAdmin(db, request.admin.id);
    return !admin?.second_factor_required || (await secondFactorCount(db, request.admin.id)) > 1;
  }

  const mustKeepOne = {
    notice: { ok: false, message: 'This account must keep a second factor: add another one first.' },
  };

  /** Without any second factor, recovery codes would stand in for nothing. */
  async function afterRemoval(request: FastifyRequest, what: string): Promise<void> {
    await recordAdminAction(db, request.admin, what, {}, deps.clock);
    if (!(await hasSecondFactor(db, request.admin.id))) await deleteRecoveryCodes(db, request.admin.id);
  }

  app.get(base, atEnrol, async (request, reply) => page(request, reply));

  app.post(`${base}/passkeys/options`, atEnrol, async (request, reply) => {
    const options = await registrationOptions(db, tools.rp, request.admin);
    await setChallenge(db, request.adminSession.id, options.challenge);
    return reply.send(options);
  });

  app.post(`${base}/passkeys`, atEnrol, async (request, reply) => {
    const challenge = request.adminSession.challenge;
    await setChallenge(db, request.adminSession.id, null);
    const form = passkeyForm.safeParse(request.body);
    const name = (form.success && form.data.name) || 'Passkey';
    const ok =
      challenge !== null &&
      form.success &&
      (await registerPasskey(
        db,
        deps.clock,
        tools.rp,
        request.admin.id,
        challenge,
        form.data.response as unknown as RegistrationResponseJSON,
        name,
      ));
    if (!ok) return reply.code(400).send({ error: 'The passkey could not be verified. Try again.' });
    await recordAdminAction(db, request.admin, 'passkey added', { name }, deps.clock);
    await afterEnrolment(request, reply);
    return reply.send({ redirect: `/admin${base}?added=passkey` });
  });

  app.post<{ Params: { id: string } }>(`${base}/passkeys/:id/remove`, async (request, reply) => {
    const id = Number(request.params.id);
    if (!(await mayRemoveOne(request))) return page(request, reply, mustKeepOne, 409);
    if (!Number.isSafeInteger(id) || !(await removePasskey(db, request.admin.id, id)))
      return page(request, reply, { notice: { ok: false, message: 'There is no such passkey.' } }, 404);
    await afterRemoval(request, 'passkey removed');
    return page(request, reply, { notice: { ok: true, message: 'The passkey was removed.' } });
  });

  app.post(`${base}/totp/start`, atEnrol, async (request, reply) => {
    const secret = newTotpSecret();
    const { uri, svg } = await totpEnrolment(secret, deps.live.snapshot.site.title, request.admin.email);
    // The key travels in the form, sealed to this session, until a code from the app proves it was saved.
    const sealed = tools.box.seal(secret, pendingContext(request));
    return page(request, reply, { totpSetup: { uri, svg, sealed } });
  });

  app.post(`${base}/totp/confirm`, atEnrol, async (request, reply) => {
    const form = totpForm.parse(request.body ?? {});
    const secret = tools.box.open(form.sealed, pendingContext(request));
    const step = secret ? totpStep(secret, form.code, deps.clock) : undefined;
    if (!secret || step === undefined) {
      const retry = secret
        ? {
            totpSetup: {
              ...(await totpEnrolment(secret, deps.live.snapshot.site.title, request.admin.email)),
              sealed: form.sealed,
            },
          }
        : {};
      return page(
        request,
        reply,
        {
          ...retry,
          notice: { ok: false, message: 'That code is not right: check the app and try the next one.' },
        },
        400,
      );
    }
    await enableTotp(db, request.admin.id, sealTotpSecret(tools.box, request.admin.id, secret), step);
    await recordAdminAction(db, request.admin, 'totp enabled', {}, deps.clock);
    await afterEnrolment(request, reply);
    const codes =
      (await unusedRecoveryCodes(db, request.admin.id)) === 0
        ? await newRecoveryCodes(db, deps.clock, request.admin.id)
        : undefined;
    if (codes) await recordAdminAction(db, request.admin, 'recovery codes generated', {}, deps.clock);
    return page(request, reply, {
      notice: { ok: true, message: 'The authenticator app is set up.' },
      ...(codes ? { newRecoveryCodes: codes } : {}),
    });
  });

  app.post(`${base}/totp/remove`, async (request, reply) => {
    if (!(await mayRemoveOne(request))) return page(request, reply, mustKeepOne, 409);
    await disableTotp(db, request.admin.id);
    await afterRemoval(request, 'totp removed');
    return page(request, reply, { notice: { ok: true, message: 'The authenticator app was removed.' } });
  });

  app.post(`${base}/recovery-codes`, async (request, reply) => {
    if (!(await hasSecondFactor(db, request.admin.id)))
      return page(request, reply, {
        notice: {
          ok: false,
          message: 'Set up a passkey or an authenticator app first: recovery codes stand in for one.',
        },
      });
    const codes = await newRecoveryCodes(db, deps.clock, request.admin.id);
    await recordAdminAction(db, request.admin, 'recovery codes generated', {}, deps.clock);
    return page(request, reply, { newRecoveryCodes: codes });
  });
}
