import type { FactorId } from "@/lib/factors/ids";
import type { Flow, Step } from "./types";

/**
 * The one place that decides where a user goes next. Pages guard with it and redirect when
 * they are not the step; nothing else branches on flow state.
 */
export function nextStep(flow: Flow, enrolled: readonly FactorId[]): Step {
  if (flow.status === "done") {
    const reason = flow.result?.reason;
    return flow.outcome === "denied" && reason && reason !== "cancelled" ? { kind: "ended", reason } : { kind: "continue" };
  }
  // Walking skeleton: the authenticator app is the only factor, so policy is "otp, enrol if absent".
  const factor: FactorId = "otp";
  return enrolled.includes(factor) ? { kind: "challenge", factor } : { kind: "enroll", factor };
}

/** The URL grammar: `/<factor>` challenges, `/<factor>/setup` enrolls. */
export function stepPath(step: Step): string {
  switch (step.kind) {
    case "enroll":
      return `/${step.factor}/setup`;
    case "challenge":
      return `/${step.factor}`;
    case "continue":
      return "/continue";
    case "ended":
      return "/ended";
    default: {
      const never: never = step;
      throw new Error(`unhandled step ${JSON.stringify(never)}`);
    }
  }
}
