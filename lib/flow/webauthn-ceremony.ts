import { getLocale, getTranslations } from "next-intl/server";
import { audit, auditWho } from "@/lib/audit";
import { descriptor, isFactorId } from "@/lib/factors/registry";
import type { FactorCtx } from "@/lib/factors/types";
import { passkeyFactor, securityKeyFactor, type WebAuthnFactor } from "@/lib/factors/webauthn/factor";
import { submitResponse } from "./attempt";
import { currentFlow } from "./context";
import { flowCtx, userFactors } from "./user-factors";
import { nextStep, stepPath } from "./next-step";
import type { WebAuthnStep } from "./results";
import { pathAfter } from "./upgrade";

/**
 * The two steps of every WebAuthn ceremony in a flow, behind the one JSON API
 * (app/api/webauthn/[factor]/route.ts) that every screen's browser client (client/webauthn.ts)
 * calls: options, then the browser's response checked. A ceremony runs only where nextStep says
 * the flow is: setting up or using this factor (`enroll`, `challenge`), or the passkey offer
 * (`offer-passkey`, webauthn-platform only). Anywhere else the answer is where to go instead.
 */

/** The factors whose screen is a WebAuthn ceremony, as the registry says. */
export const isWebAuthnFactor = (id: string): id is WebAuthnFactor => isFactorId(id) && descriptor(id).screen === "ceremony";

/** Longest browser response accepted (a registration with attestation "none" is ~1–2 KB). */
const MAX_RESPONSE = 20_000;

type Here = { ctx: FactorCtx; mode: "enroll" | "challenge" | "offer" } | { next: string };

/** The flow's step, and what this factor's ceremony may do there. */
async function where(id: WebAuthnFactor): Promise<Here> {
  const lookup = await currentFlow();
  if (!lookup.ok) return { next: `/error?reason=${lookup.reason}` };
  const ctx = flowCtx(lookup.flow, await getLocale());
  const step = nextStep(ctx.flow, await userFactors(ctx.flow), ctx.now);
  if ((step.kind === "enroll" || step.kind === "challenge") && step.factor === id) return { ctx, mode: step.kind === "enroll" ? "enroll" : "challenge" };
  // The passkey offer (app/(flow)/upgrade): a fresh proof and no passkey yet.
  if (step.kind === "offer-passkey" && id === "webauthn-platform") return { ctx, mode: "offer" };
  return { next: stepPath(step) };
}

const ceremony = (id: WebAuthnFactor) => (id === "webauthn-platform" ? passkeyFactor : securityKeyFactor);

/** Creation or request options for the flow's current WebAuthn step (the challenge is stored on the flow). */
export async function webauthnOptions(id: WebAuthnFactor): Promise<WebAuthnStep> {
  const here = await where(id);
  if ("next" in here) return { next: here.next };
  const f = ceremony(id);
  return { options: here.mode === "challenge" ? await f.beginChallenge(here.ctx) : await f.beginEnroll(here.ctx) };
}

/**
 * Verifies the browser's response (a JSON string) for the flow's current step. `remember` is the
 * challenge screen's "Don't ask again on this device". An accepted passkey offer is saved through
 * the same setup path as every factor (audit `factor.added`, the notice email) and audited as
 * `upgrade.accepted`.
 */
export async function webauthnFinish(id: WebAuthnFactor, response: unknown, remember?: unknown): Promise<WebAuthnStep> {
  const here = await where(id);
  if ("next" in here) return { next: here.next };
  const { ctx, mode } = here;
  const t = await getTranslations("common.errors");
  if (typeof response !== "string" || response.length > MAX_RESPONSE) return { error: t("webauthn_invalid") };
  const r = await submitResponse(ctx, id, mode === "challenge" ? "challenge" : "enroll", response, mode === "challenge" ? { remember: remember === true } : {});
  if (r.ok) {
    if (mode === "offer") await audit(ctx.db, { ...auditWho(ctx.flow, id), event: "upgrade.accepted", outcome: "created" });
    return { next: await pathAfter(ctx, r) };
  }
  if (r.error === "flow_ended") return { next: "/ended" };
  if (r.error === "rate_limited") return { error: t("rate_limited", { minutes: Math.ceil((r.retryAfterSeconds ?? 60) / 60) }) };
  return { error: t("webauthn_invalid") };
}
