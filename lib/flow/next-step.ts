import type { FactorId } from "@/lib/factors/ids";
import type { Flow, Step } from "./types";

/** Strongest first: the factor a returning user is challenged with by default. */
export const PREFERENCE: readonly FactorId[] = ["webauthn-platform", "webauthn-roaming", "otp", "phone", "email", "magic-link"];
/** Recovery codes are always offered last and never chosen by default. */
const CHALLENGE_ORDER: readonly FactorId[] = [...PREFERENCE, "recovery-code"];

/** What this user can do in this flow, computed by the caller from storage, config and claims. */
export interface UserFactors {
  /** Factors with a saved authenticator. */
  enrolled: FactorId[];
  /** Usable without setup: a verified email from the token, as Auth0 treats it. */
  implicit: FactorId[];
  /** Factors this deployment offers for setup. */
  available: FactorId[];
}

export interface Options {
  challenge: FactorId[];
  enroll: FactorId[];
}

/**
 * What the picker may offer. A user with any saved authenticator must pass a challenge before
 * adding another, or a stolen password alone could bind an attacker's device.
 */
export function options(f: UserFactors): Options {
  const usable = CHALLENGE_ORDER.filter((id) => f.enrolled.includes(id) || f.implicit.includes(id));
  if (f.enrolled.length > 0) return { challenge: usable, enroll: [] };
  return { challenge: usable, enroll: PREFERENCE.filter((id) => f.available.includes(id) && !f.implicit.includes(id)) };
}

/**
 * The one place that decides where a user goes next. Pages guard with it and redirect when
 * they are not the step; nothing else branches on flow state.
 */
export function nextStep(flow: Flow, f: UserFactors): Step {
  if (flow.status === "done") {
    const reason = flow.result?.reason;
    return flow.outcome === "denied" && reason && reason !== "cancelled" ? { kind: "ended", reason } : { kind: "continue" };
  }
  const o = options(f);
  const choice = flow.pending.choice;
  if (choice?.mode === "challenge" && o.challenge.includes(choice.factor)) return { kind: "challenge", factor: choice.factor };
  if (choice?.mode === "enroll" && o.enroll.includes(choice.factor)) return { kind: "enroll", factor: choice.factor };
  const enrolled = PREFERENCE.find((id) => f.enrolled.includes(id));
  if (enrolled) return { kind: "challenge", factor: enrolled };
  if (o.enroll.length + o.challenge.length > 1) return { kind: "choose" };
  if (o.enroll[0]) return { kind: "enroll", factor: o.enroll[0] };
  // Only recovery codes (or only an implicit factor) are left.
  if (o.challenge[0]) return { kind: "challenge", factor: o.challenge[0] };
  return { kind: "enroll", factor: "otp" };
}

/** The URL grammar: `/<factor>` challenges, `/<factor>/setup` enrolls, `/choose` picks. */
export function stepPath(step: Step): string {
  switch (step.kind) {
    case "enroll":
      return `/${step.factor}/setup`;
    case "challenge":
      return `/${step.factor}`;
    case "choose":
      return "/choose";
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
