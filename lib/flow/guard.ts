import "server-only";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { failPage } from "@/lib/errors";
import { listActive } from "@/lib/factors/authenticators";
import { isFactorId, type FactorId } from "@/lib/factors/ids";
import type { FactorCtx } from "@/lib/factors/types";
import { currentFlow } from "./context";
import { nextStep, stepPath } from "./next-step";
import type { Step } from "./types";

/** The user's enrolled factors, deduplicated. */
export async function enrolledFactors(host: string, sub: string): Promise<FactorId[]> {
  const rows = await listActive(db(), { host, sub });
  return [...new Set(rows.map((r) => r.factor).filter(isFactorId))];
}

/**
 * Every flow page starts here: no flow → error page; not this page's step → redirect to the
 * right one. Returns the context for the step the page renders.
 */
export async function requireStep<K extends Step["kind"]>(
  kind: K,
  factor?: FactorId,
): Promise<{ ctx: FactorCtx; step: Extract<Step, { kind: K }> }> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const { flow } = lookup;
  const step = nextStep(flow, await enrolledFactors(flow.host, flow.sub));
  const here = step.kind === kind && (!factor || ("factor" in step && step.factor === factor));
  if (!here) redirect(stepPath(step));
  return { ctx: { db: db(), env: env(), flow, now: Date.now() }, step: step as Extract<Step, { kind: K }> };
}

/** The current flow for a server action, or a redirect to the error page. */
export async function requireFlowForAction(): Promise<FactorCtx> {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  return { db: db(), env: env(), flow: lookup.flow, now: Date.now() };
}
