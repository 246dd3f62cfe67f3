import { redirect } from "next/navigation";
import { failPage } from "@/lib/errors";
import { type FactorId } from "@/lib/factors/registry";
import type { FactorCtx } from "@/lib/factors/types";
import { getLocale } from "next-intl/server";
import { currentFlow } from "./context";
import { flowCtx, userFactors } from "./user-factors";
import { nextStep, stepPath, type UserFactors } from "./next-step";
import type { Step } from "./types";

/**
 * Every flow page starts here: no flow → error page; not this page's step → redirect to the
 * right one. Returns the context for the step the page renders.
 */
export async function requireStep<K extends Step["kind"]>(kind: K, factor?: FactorId): Promise<{ ctx: FactorCtx; step: Extract<Step, { kind: K }>; factors: UserFactors }> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const { flow } = lookup;
  const factors = await userFactors(flow);
  const step = nextStep(flow, factors, Date.now());
  const here = step.kind === kind && (!factor || ("factor" in step && step.factor === factor));
  if (!here) redirect(stepPath(step));
  // The page reuses `factors` (e.g. for "Try another method") instead of querying again.
  return { ctx: flowCtx(flow, await getLocale()), step: step as Extract<Step, { kind: K }>, factors };
}

/**
 * The current flow and the step nextStep gives it, for a server action that then checks the step
 * is the one it may act on. No flow → error page.
 */
export async function currentStep(): Promise<{ ctx: FactorCtx; step: Step; factors: UserFactors }> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const ctx = flowCtx(lookup.flow, await getLocale());
  const factors = await userFactors(ctx.flow);
  return { ctx, step: nextStep(ctx.flow, factors, ctx.now), factors };
}

/** The current flow for a server action, or a redirect to the error page. */
export async function requireFlowForAction(): Promise<FactorCtx> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  return flowCtx(lookup.flow, await getLocale());
}
