import { getLocale } from "next-intl/server";
import { redirect, unstable_rethrow } from "next/navigation";
import { cache, type ReactNode } from "react";
import { auditWho } from "@/lib/audit";
import { failPage, UNAVAILABLE_PATH } from "@/lib/errors";
import { log } from "@/lib/log";
import type { UserKey } from "@/lib/factors/authenticators";
import type { FactorId } from "@/lib/factors/registry";
import type { FactorCtx } from "@/lib/factors/types";
import { currentFlow } from "./context";
import { nextStep, stepPath, type UserFactors } from "./next-step";
import type { Step } from "./types";
import { flowCtx, userFactors } from "./user-factors";

/**
 * The harness of every React screen (every `page.tsx` under app/ ends `export default reactScreen(Page)`),
 * the counterpart of the HTML-only screens' `htmlOnlyScreen` (lib/pages/screen.ts). When the page
 * fails (the database went away mid-request), the browser goes to the error page's `unavailable`
 * reason, the same clear, localised 503 page an HTML-only screen gives, instead of Next's bare 500.
 * Next's own control flow (redirect, notFound) passes through untouched (`unstable_rethrow`, the
 * documented way to catch around it). The flow is not lost: Back, or the link again, retries.
 * A page's work happens in the function it wraps; what the frame shows around it (branding, the
 * session timer) never fails a page (`frameFlow`).
 */
export function reactScreen<P>(page: (props: P) => Promise<ReactNode>): (props: P) => Promise<ReactNode> {
  return async (props) => {
    try {
      return await page(props);
    } catch (e) {
      unstable_rethrow(e);
      log.error({ err: e }, "react screen failed");
      redirect(UNAVAILABLE_PATH);
    }
  };
}

/**
 * The same harness for a React screen's server actions (every export of an app/…/actions.ts is
 * `export const name = reactAction(async function name(…) { … })`): a failure mid-action sends the
 * browser to the "unavailable" page instead of an error the screen cannot explain.
 */
export function reactAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await action(...args);
    } catch (e) {
      unstable_rethrow(e);
      log.error({ err: e }, "server action failed");
      redirect(UNAVAILABLE_PATH);
    }
  };
}

/** What a React screen or server action knows about its flow: the context, the user, their factors, and the audit subject. */
export interface FlowContext {
  ctx: FactorCtx;
  user: UserKey;
  factors: UserFactors;
  who: ReturnType<typeof auditWho>;
}

/**
 * The request's flow context, read once per request (React's cache): the flow from its cookie,
 * the user's factors, and who audit rows are about. No flow → the error page. A server action
 * that changes factors reads them again where it decides what comes next (lib/flow/upgrade.ts
 * pathAfter), never from here.
 */
export const flowContext = cache(async (): Promise<FlowContext> => {
  const lookup = await currentFlow();
  if (!lookup.ok) failPage(lookup.reason);
  const { flow } = lookup;
  return { ctx: flowCtx(flow, await getLocale()), user: { tenant: flow.tenant, sub: flow.sub }, factors: await userFactors(flow), who: auditWho(flow) };
});

/**
 * Every React flow page starts here: no flow → error page; not this page's step → redirect to the
 * right one. Returns the context for the step the page renders.
 */
export async function requireStep<K extends Step["kind"]>(kind: K, factor?: FactorId): Promise<FlowContext & { step: Extract<Step, { kind: K }> }> {
  const c = await flowContext();
  const step = nextStep(c.ctx.flow, c.factors, c.ctx.now);
  const here = step.kind === kind && (!factor || ("factor" in step && step.factor === factor));
  if (!here) redirect(stepPath(step));
  return { ...c, step: step as Extract<Step, { kind: K }> };
}

/**
 * The current flow and the step nextStep gives it, for a server action that then checks the step
 * is the one it may act on. No flow → error page.
 */
export async function currentStep(): Promise<FlowContext & { step: Step }> {
  const c = await flowContext();
  return { ...c, step: nextStep(c.ctx.flow, c.factors, c.ctx.now) };
}

/** The current flow for a server action, or a redirect to the error page. */
export async function requireFlowForAction(): Promise<FactorCtx> {
  return (await flowContext()).ctx;
}
