import { flowSeconds } from "@/lib/metrics";
import { addedSince, cancelForUser, completeRecovery, flowDevice, requestStatus } from "@/lib/recovery/requests";
import { listActive } from "@/lib/factors/authenticators";
import { recoveryDeps } from "@/lib/recovery/wiring";
import { audit, auditWho } from "@/lib/audit";
import { appDeviceHash, recordDeviceMfa } from "@/lib/devices/repo";
import type { FactorCtx } from "@/lib/factors/types";
import { userFactors } from "./user-factors";
import { nextStep } from "./next-step";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { issueSealedCodes } from "./recovery";
import { addFlowFailure, completeFlow, findFlow, swapPending } from "./repo";
import { MAX_FLOW_FAILURES } from "./limits";
import type { EndReason, Flow, FlowResult, Pending, Step } from "./types";

/**
 * The one function that completes a flow with success: only when nextStep says `complete`, that
 * is, a proof is held and no step is left (a required setup, recovery codes to save, the passkey
 * offer, managing). The result carries every `amr` proved and every factor bound in the flow.
 * Every other ending is below: {@link endFlow} (denials) and {@link settleAtEntry} (a policy
 * decision before any step). Nothing else calls completeFlow.
 */
export async function completeIfDone(ctx: FactorCtx): Promise<{ completed: boolean; step: Step }> {
  const { flow } = ctx;
  const step = nextStep(flow, await userFactors(flow, ctx.db, ctx.env, ctx.now), ctx.now);
  const proof = flow.pending.verified;
  if (step.kind !== "complete" || !proof) return { completed: false, step };
  if (flow.pending.recovery) return finishRecovery(ctx, flow.pending.recovery);
  const won = await completeFlow(ctx.db, flow.id, "success", { amr: proof.amr, enrolled: flow.pending.enrolled ?? [] }, ctx.now);
  if (won) {
    await audit(ctx.db, { event: "flow.completed", ...auditWho(flow, proof.factor), outcome: "success", detail: { amr: proof.amr } });
    flowSeconds.observe(Math.max(0, ctx.now - flow.createdAt) / 1000);
    // A sign-in with an existing factor cancels any open self-service recovery request (#17).
    await cancelForUser(recoveryDeps(ctx), { tenant: flow.tenant, sub: flow.sub }, "signed_in", ctx.now);
    await rememberDevice(ctx, { remember: flow.pending.remember === true });
  }
  return { completed: won, step: won ? { kind: "continue" } : step };
}

/**
 * The flow that finishes a self-service recovery has set up its new factor: the request completes
 * (lib/recovery/requests.ts completeRecovery: the old factors off, Auth0 sessions revoked, a
 * restore link sent), then the new recovery codes are issued and shown; saving them completes the
 * flow as any other. A request no longer finishable (cancelled meanwhile, or another browser)
 * turns the new factor off again and ends the flow `recovery_void`: nothing of the user's changed.
 */
async function finishRecovery(ctx: FactorCtx, recovery: NonNullable<Pending["recovery"]>): Promise<{ completed: boolean; step: Step }> {
  const { flow } = ctx;
  const user = { tenant: flow.tenant, sub: flow.sub };
  const keep = addedSince(await listActive(ctx.db, user), recovery.at).map((r) => r.id);
  const done = await completeRecovery(recoveryDeps(ctx), { user, deviceHash: flowDevice(flow.context), keep }, ctx.now);
  // A retry after a lost write: this flow already completed its request.
  if (!done.ok && (await requestStatus(ctx.db, recovery.requestId)) !== "completed") {
    if (keep.length > 0) await ctx.db.updateTable("authenticators").set({ disabled_at: ctx.now }).where("id", "in", keep).where("disabled_at", "is", null).execute();
    await audit(ctx.db, { event: "recovery.void", ...auditWho(flow), outcome: "denied", detail: { requestId: recovery.requestId, reason: done.reason, disabled: keep.length } });
    await endFlow(ctx.db, flow, "recovery_void", ctx.now);
    return { completed: false, step: { kind: "ended", reason: "recovery_void" } };
  }
  const { recovery: _done, ...rest } = flow.pending;
  const next: Flow = { ...flow, pending: rest };
  const pending: Pending = { ...rest, recoveryCodes: await issueSealedCodes({ ...ctx, flow: next }) };
  if (!(await swapPending(ctx.db, flow, pending))) {
    const latest = (await findFlow(ctx.db, flow.id)) ?? flow;
    return { completed: false, step: nextStep(latest, await userFactors(latest, ctx.db, ctx.env, ctx.now), ctx.now) };
  }
  ctx.flow = { ...flow, pending };
  return { completed: false, step: { kind: "recovery-codes", regenerate: false } };
}

/** Ends an active flow as denied (cancelled, reported, too many failures). Returns false if it had already ended. */
export async function endFlow(db: Kysely<Database>, flow: Flow, reason: EndReason, now = Date.now()): Promise<boolean> {
  return completeFlow(db, flow.id, "denied", { amr: [], enrolled: [], reason }, now);
}

/** A policy ALLOW or DENY at entry finishes the flow before any step: a skip is never a proof (`amr: []`). */
export async function settleAtEntry(db: Kysely<Database>, flow: Flow, outcome: "ALLOW" | "DENY", rule: string | null): Promise<void> {
  const result: FlowResult = outcome === "ALLOW" ? { amr: [], enrolled: [], skipped: rule ?? "policy" } : { amr: [], enrolled: [], reason: "policy_denied" };
  await completeFlow(db, flow.id, outcome === "ALLOW" ? "success" : "denied", result);
}

/**
 * Counts one failure (a wrong code, a wrong link number) against the flow and audits it; at
 * MAX_FLOW_FAILURES the flow ends, audited `flow.locked`. Returns the failures so far and whether the flow ended.
 */
export async function countFailure(
  db: Kysely<Database>,
  flow: Flow,
  who: Record<string, unknown>,
  failure: { event: string; outcome: string },
  now = Date.now(),
): Promise<{ failures: number; ended: boolean }> {
  const failures = await addFlowFailure(db, flow.id);
  const base = { ...who, ...auditWho(flow) };
  await audit(db, { ...base, ...failure, detail: { failures } });
  if (failures < MAX_FLOW_FAILURES) return { failures, ended: false };
  if (await endFlow(db, flow, "too_many_attempts", now)) await audit(db, { ...base, event: "flow.locked", outcome: "denied" });
  return { failures, ended: true };
}

/**
 * Moves a verified flow past a step the user finished (saved the recovery codes, answered the
 * passkey offer, pressed "Done" in management): the mark is written with compare-and-set, then
 * the flow completes if nothing is left. Returns where the user goes next.
 */
export async function passStep(ctx: FactorCtx, mark: Pick<Pending, "recoveryDone" | "offerDone" | "manageDone">): Promise<Step> {
  let flow = ctx.flow;
  for (let round = 0; round < 5; round++) {
    if (flow.status !== "active" || !flow.pending.verified) break;
    // Saving the recovery codes drops the sealed copy: they are never shown again.
    const { recoveryCodes, ...rest } = flow.pending;
    const pending: Pending = { ...(mark.recoveryDone ? rest : { ...rest, ...(recoveryCodes ? { recoveryCodes } : {}) }), ...mark };
    if (await swapPending(ctx.db, flow, pending)) return (await completeIfDone({ ...ctx, flow: { ...flow, pending } })).step;
    const fresh = await findFlow(ctx.db, flow.id);
    if (!fresh) break;
    flow = fresh;
  }
  const latest = (await findFlow(ctx.db, ctx.flow.id)) ?? flow;
  return nextStep(latest, await userFactors(latest, ctx.db, ctx.env, ctx.now), ctx.now);
}

/** Records this browser's MFA for the user, and remembers it when asked and allowed. */
export async function rememberDevice(ctx: FactorCtx, opts: { remember?: boolean }): Promise<void> {
  const { flow } = ctx;
  if (!flow.context.deviceHash) return;
  const policy = flow.context.policy;
  const rememberDays = opts.remember && policy?.canRemember ? policy.rememberDays : 0;
  const claims = flow.context.claims;
  await recordDeviceMfa(
    ctx.db,
    { tenant: flow.tenant, sub: flow.sub },
    { tokenHash: flow.context.deviceHash, appDeviceHash: claims.device_id ? appDeviceHash(ctx.env.keys, claims.device_id) : null, userAgent: flow.context.userAgent, rememberDays },
    ctx.now,
  );
  if (rememberDays > 0) await audit(ctx.db, { event: "device.remembered", ...auditWho(flow), detail: { days: rememberDays } });
}
