import crypto from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "@/lib/db/schema";
import { swapPending } from "@/lib/flow/repo";
import { addAuthenticatorFailure, claimTotpStep, insertAuthenticator, listActive } from "../authenticators";
import { matchTotp, newTotpSecret, toBase32, totpUri } from "./totp";
import type { FactorCtx, EnrollFactor } from "../types";

export interface OtpEnrollView {
  uri: string;
  secretBase32: string;
}

/** An unfinished enrollment is abandoned after this long; the user gets a new key. */
const SETUP_TTL_MS = 10 * 60 * 1000;

const pendingAad = (flowId: string) => `flow:${flowId}:otp`;

/** Runs `work` in a transaction, or in the caller's when `db` already is one. */
function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute((trx: Transaction<Database>) => work(trx));
}

function label(ctx: FactorCtx): string {
  return ctx.flow.context.claims.email ?? ctx.flow.context.claims.sub;
}

async function pendingSecret(ctx: FactorCtx): Promise<Buffer | null> {
  const p = ctx.flow.pending.otp;
  if (!p || ctx.now - p.startedAt > SETUP_TTL_MS) return null;
  return ctx.env.keys.open("totp", p.sealedSecret, pendingAad(ctx.flow.id));
}

/** The AAD of a stored TOTP secret: a secret copied onto another authenticator row does not open. */
export const authenticatorAad = (id: string) => `authenticator:${id}`;

/** Authenticator app (TOTP). The key is shown once, during setup, and never again. */
export const otpFactor: EnrollFactor<OtpEnrollView> = {
  id: "otp",

  async beginEnroll(ctx) {
    let secret = await pendingSecret(ctx);
    if (!secret) {
      secret = newTotpSecret();
      const pending = { ...ctx.flow.pending, otp: { sealedSecret: ctx.env.keys.seal("totp", secret, pendingAad(ctx.flow.id)), startedAt: ctx.now } };
      // A concurrent tab may have started setup first; show the key that was stored.
      if (!(await swapPending(ctx.db, ctx.flow, pending))) throw new Error("flow changed during setup");
      ctx.flow = { ...ctx.flow, pending };
    }
    return { uri: totpUri(secret, ctx.env.issuerName, label(ctx)), secretBase32: toBase32(secret) };
  },

  async finishEnroll(ctx, code) {
    // The flow as this request read it: the compare-and-set below is against this version.
    const flow = ctx.flow;
    const secret = await pendingSecret(ctx);
    if (!secret) return { ok: false, error: "setup_expired" };
    const step = matchTotp(secret, code, ctx.now);
    if (step === null) return { ok: false, error: "code_invalid" };
    const { otp: _done, ...rest } = flow.pending;
    const id = crypto.randomUUID();
    // Clearing the pending key is the commit point: of two racing submissions only one saves. The
    // clearing and the new authenticator commit together: a process killed between them must not
    // lose the key the user already added to their app (e2e/drills.spec.ts, the kill -9 drill).
    const saved = await inTransaction(ctx.db, async (trx) => {
      if (!(await swapPending(trx, flow, rest))) return false;
      await insertAuthenticator(
        trx,
        { tenant: flow.tenant, sub: flow.sub },
        { id, factor: "otp", label: "", secret: ctx.env.keys.seal("totp", secret, authenticatorAad(id)), last_used_step: step },
        ctx.now,
      );
      return true;
    });
    if (!saved) return { ok: false, error: "code_reused" };
    ctx.flow = { ...flow, pending: rest };
    return { ok: true };
  },

  async verify(ctx, code) {
    const user = { tenant: ctx.flow.tenant, sub: ctx.flow.sub };
    const authenticators = await listActive(ctx.db, user, "otp");
    for (const a of authenticators) {
      if (!a.secret) continue;
      const secret = ctx.env.keys.open("totp", a.secret, authenticatorAad(a.id));
      const step = matchTotp(secret, code, ctx.now);
      if (step === null) continue;
      return (await claimTotpStep(ctx.db, a.id, step, ctx.now)) ? { ok: true } : { ok: false, error: "code_reused" };
    }
    const disabled = await Promise.all(authenticators.map((a) => addAuthenticatorFailure(ctx.db, a.id, ctx.now)));
    return disabled.some(Boolean) ? { ok: false, error: "code_invalid", disabled: true } : { ok: false, error: "code_invalid" };
  },
};
