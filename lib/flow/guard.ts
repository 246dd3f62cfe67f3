import "server-only";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { failPage } from "@/lib/errors";
import { listAll } from "@/lib/factors/authenticators";
import { remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { DESCRIPTORS, isFactorId, type FactorId } from "@/lib/factors/registry";
import type { FactorCtx } from "@/lib/factors/types";
import { currentFlow } from "./context";
import { nextStep, stepPath, type UserFactors } from "./next-step";
import type { Flow, Step } from "./types";

/** What this user can use and set up in this flow: saved authenticators, the token's verified email, and what is configured. */
export async function userFactors(flow: Flow, database = db(), config = env()): Promise<UserFactors> {
  const all = await listAll(database, { host: flow.host, sub: flow.sub });
  const rows = all.filter((r) => r.disabled_at === null);
  const claims = flow.context.claims;
  const last = rows.reduce<(typeof rows)[number] | undefined>((a, r) => (r.last_used_at !== null && (!a || Number(r.last_used_at) > Number(a.last_used_at)) ? r : a), undefined);
  const enrolled: FactorId[] = [...new Set(rows.map((r) => r.factor).filter(isFactorId))];
  return {
    enrolled: [...enrolled, ...((await remainingRecoveryCodes(database, { host: flow.host, sub: flow.sub })) > 0 ? (["recovery-code"] as const) : [])],
    disabled: [...new Set(all.filter((r) => r.disabled_at !== null).map((r) => r.factor).filter(isFactorId))].filter((id) => !enrolled.includes(id)),
    ...(last && isFactorId(last.factor) ? { lastUsed: last.factor } : {}),
    // Each factor's descriptor says when it is usable without setup, and when this deployment offers its setup.
    implicit: DESCRIPTORS.filter((d) => "implicit" in d && d.implicit(config, claims)).map((d) => d.id),
    available: DESCRIPTORS.filter((d) => "setup" in d && d.setup(config)).map((d) => d.id),
  };
}

/**
 * Every flow page starts here: no flow → error page; not this page's step → redirect to the
 * right one. Returns the context for the step the page renders.
 */
export async function requireStep<K extends Step["kind"]>(
  kind: K,
  factor?: FactorId,
): Promise<{ ctx: FactorCtx; step: Extract<Step, { kind: K }>; factors: UserFactors }> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const { flow } = lookup;
  const factors = await userFactors(flow);
  const step = nextStep(flow, factors, Date.now());
  const here = step.kind === kind && (!factor || ("factor" in step && step.factor === factor));
  if (!here) redirect(stepPath(step));
  // The page reuses `factors` (e.g. for "Try another method") instead of querying again.
  return { ctx: flowCtx(flow), step: step as Extract<Step, { kind: K }>, factors };
}

/**
 * The current flow and the step nextStep gives it, for a server action that then checks the step
 * is the one it may act on. No flow → error page.
 */
export async function currentStep(): Promise<{ ctx: FactorCtx; step: Step; factors: UserFactors }> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const ctx = flowCtx(lookup.flow);
  const factors = await userFactors(ctx.flow);
  return { ctx, step: nextStep(ctx.flow, factors, ctx.now), factors };
}

/** A factor context for `flow` at this moment. */
export function flowCtx(flow: Flow): FactorCtx {
  return { db: db(), env: env(), flow, now: Date.now() };
}

/** The current flow for a server action, or a redirect to the error page. */
export async function requireFlowForAction(): Promise<FactorCtx> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  return flowCtx(lookup.flow);
}
