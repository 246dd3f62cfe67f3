import type { FactorId } from "@/lib/factors/ids";
import type { Flow, Step } from "./types";

/** Strongest first: the factor a returning user is challenged with when nothing else decides. */
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
  /** The enrolled factor the user used most recently: the default challenge. */
  lastUsed?: FactorId;
}

export interface Options {
  challenge: FactorId[];
  enroll: FactorId[];
}

const within = (list: readonly FactorId[], allowed: readonly FactorId[] | null | undefined) => (allowed ? list.filter((id) => allowed.includes(id)) : [...list]);

/**
 * The limits this flow runs under: the policy rule that matched at entry, narrowed by the
 * Action's Auth0-style command (`challengeWith` … `enrollWithAny`), which is a per-login decision
 * in code and so wins over the config file's lists.
 */
export function constraints(flow: Flow, f: UserFactors) {
  const rules = flow.context.policy?.factors ?? {};
  const command = flow.context.claims.mfa;
  const has = (list: readonly FactorId[]) => list.some((id) => f.enrolled.includes(id) || f.implicit.includes(id));
  let challenge: readonly FactorId[] | null = rules.require ?? rules.allow ?? null;
  let setup: readonly FactorId[] | null = rules.setup ?? rules.require ?? rules.allow ?? null;
  // What the user must set up now, before the flow may end.
  let mustSetup: FactorId[] = [];
  if (rules.require && !has(rules.require)) mustSetup = rules.require.filter((id) => f.available.includes(id));
  else if (rules.forceSetup && !has(setup ?? f.available)) mustSetup = within(f.available, setup);
  let defaultFactor: FactorId | undefined;
  let challengePicker = false;
  // Auth0: a challenge command fails when the user has none of its factors; an enroll command sets one up.
  let setupWhenNone = true;
  if (command?.command === "challengeWith" || command?.command === "challengeWithAny") {
    challenge = within(command.factors, challenge);
    setupWhenNone = false;
    challengePicker = command.command === "challengeWithAny";
    if (command.command === "challengeWith") defaultFactor = command.factors[0];
  } else if (command) {
    // enrollWith / enrollWithAny: set up one of these the user does not have yet; with all of them
    // already enrolled the command has nothing to do and the login goes on as usual (Auth0's words).
    const remaining = command.factors.filter((id) => id !== "recovery-code" && !f.enrolled.includes(id) && f.available.includes(id));
    setup = command.factors;
    if (remaining.length > 0) mustSetup = command.command === "enrollWith" && remaining.includes(command.factors[0]!) ? [command.factors[0]!, ...remaining.filter((id) => id !== command.factors[0])] : remaining;
  }
  return { challenge, setup, mustSetup, defaultFactor, challengePicker, setupWhenNone };
}

/**
 * What the picker may offer now. A user with any saved authenticator must pass a challenge
 * before adding another, or a stolen password alone could bind an attacker's device.
 */
export function options(flow: Flow, f: UserFactors): Options {
  const c = constraints(flow, f);
  const usable = CHALLENGE_ORDER.filter((id) => f.enrolled.includes(id) || f.implicit.includes(id));
  const manage = flow.context.claims.intent === "manage";
  const firstSetup = c.mustSetup.length > 0 ? c.mustSetup : c.setupWhenNone ? PREFERENCE.filter((id) => f.available.includes(id) && !f.implicit.includes(id)) : [];
  if (flow.pending.verified) {
    if (manage) return { challenge: [], enroll: within(PREFERENCE, c.setup).filter((id) => f.available.includes(id) && !f.implicit.includes(id)) };
    // The email check before a first setup was passed: the setup the user chose is still open.
    if (f.enrolled.length === 0 && flow.pending.choice?.mode === "enroll") return { challenge: [], enroll: within(firstSetup, c.setup) };
    return { challenge: [], enroll: c.mustSetup };
  }
  if (f.enrolled.length > 0) {
    // Proving who you are before a forced setup or management may use any factor you have.
    const proof = c.mustSetup.length > 0 || manage;
    return { challenge: proof ? usable : within(usable, c.challenge), enroll: [] };
  }
  return { challenge: within(usable, c.challenge), enroll: within(firstSetup, c.setup) };
}

/** The first-enrollment check (policy `firstEnrollment: "verify-email"`): prove the token's verified email first. */
function gate(flow: Flow, f: UserFactors): FactorId | undefined {
  if (flow.pending.verified || f.enrolled.length > 0) return undefined;
  if ((flow.context.policy?.firstEnrollment ?? "verify-email") !== "verify-email") return undefined;
  return f.implicit.includes("email") ? "email" : undefined;
}

function enrollStep(flow: Flow, f: UserFactors, factor: FactorId): Step {
  const g = gate(flow, f);
  return g ? { kind: "challenge", factor: g, gate: true } : { kind: "enroll", factor };
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
  const o = options(flow, f);
  const choice = flow.pending.choice;
  if (flow.pending.verified) {
    if (choice?.mode === "enroll" && o.enroll.includes(choice.factor)) return { kind: "enroll", factor: choice.factor };
    if (flow.context.claims.intent === "manage") return { kind: "manage" };
    if (o.enroll.length === 0) return { kind: "complete" };
    return o.enroll.length === 1 ? { kind: "enroll", factor: o.enroll[0]! } : { kind: "choose" };
  }
  if (choice?.mode === "challenge" && o.challenge.includes(choice.factor)) return { kind: "challenge", factor: choice.factor };
  if (choice?.mode === "enroll" && o.enroll.includes(choice.factor)) return enrollStep(flow, f, choice.factor);
  if (o.challenge.length === 0 && o.enroll.length === 0) return { kind: "ended", reason: "no_allowed_factor" };

  const c = constraints(flow, f);
  if (f.enrolled.length > 0) {
    const real: FactorId[] = o.challenge.filter((id) => id !== "recovery-code");
    if (c.challengePicker && real.length >= 2) return { kind: "choose" };
    const preferred = [c.defaultFactor, f.lastUsed, ...PREFERENCE.filter((id) => f.enrolled.includes(id))].find((id) => id && real.includes(id));
    if (preferred) return { kind: "challenge", factor: preferred };
    // Only recovery codes are saved (e.g. support disabled the app): let the user pick among them and the token's email.
    if (o.challenge.length > 1) return { kind: "choose" };
    return { kind: "challenge", factor: o.challenge[0]! };
  }
  if (o.enroll.length + o.challenge.length > 1) {
    // enrollWith names the default; the others are behind "Try another method".
    if (c.defaultFactor === undefined && flow.context.claims.mfa?.command === "enrollWith" && o.enroll[0] === flow.context.claims.mfa.factors[0]) return enrollStep(flow, f, o.enroll[0]!);
    return { kind: "choose" };
  }
  if (o.enroll[0]) return enrollStep(flow, f, o.enroll[0]);
  return { kind: "challenge", factor: o.challenge[0]! };
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
    case "manage":
      return "/manage";
    case "continue":
    case "complete":
      return "/continue";
    case "ended":
      return "/ended";
    default: {
      const never: never = step;
      throw new Error(`unhandled step ${JSON.stringify(never)}`);
    }
  }
}
