import { FACTOR_IDS, PREFERENCE, tierRank, type FactorId } from "@/lib/factors/registry";
import type { Flow, MfaCommand, Pending, Step } from "./types";

export { PREFERENCE } from "@/lib/factors/registry";
/** The registry's order: strongest first, recovery codes last (offered, never chosen by default). */
const CHALLENGE_ORDER: readonly FactorId[] = FACTOR_IDS;

/**
 * How long a proof may bind a factor (setup, the passkey offer, managing, new recovery codes):
 * NIST SP 800-63B-4 asks for a fresh authentication before binding. Completing the login itself
 * only needs the proof made in this flow.
 */
export const PROOF_MAX_AGE_MS = 10 * 60_000;

/** What this user can do in this flow, computed by the caller from storage, config and claims. */
export interface UserFactors {
  /** Factors with a saved, active authenticator (recovery codes: some left). */
  enrolled: FactorId[];
  /** Factors whose every authenticator is disabled (lockout, support). They still set the user's tier. */
  disabled?: FactorId[];
  /** Usable without setup: a verified email from the token, as Auth0 treats it. */
  implicit: FactorId[];
  /** Factors this deployment offers for setup. */
  available: FactorId[];
  /** The enrolled factor the user used most recently: the default challenge. */
  lastUsed?: FactorId;
  /**
   * This flow finishes a self-service recovery (Pending.recovery, still valid): the lists above hold
   * only what was set up since, and a setup is offered even where a challenge command runs.
   */
  recovering?: true;
  /** When the user's open self-service recovery request was made, if one is open (the challenge screens say so). */
  recoveryOpenSince?: number;
}

export interface Options {
  challenge: FactorId[];
  enroll: FactorId[];
}

const within = (list: readonly FactorId[], allowed: readonly FactorId[] | null | undefined) => (allowed ? list.filter((id) => allowed.includes(id)) : [...list]);

/** The strongest tier the user holds (disabled factors included: losing a factor never lowers the bar). */
export function userTier(f: UserFactors): number {
  return Math.max(0, ...[...f.enrolled, ...(f.disabled ?? [])].filter((id) => id !== "recovery-code").map(tierRank));
}

/** Whether the user holds any factor at all, active or disabled: such a user is never in first enrollment. */
const holdsAny = (f: UserFactors) => f.enrolled.length > 0 || (f.disabled?.length ?? 0) > 0;

const isChallenge = (c: MfaCommand) => c.command === "challengeWith" || c.command === "challengeWithAny";

/** What an enroll command still has to set up: its factors the user lacks that this deployment offers (recovery codes come with a first factor). */
const toEnroll = (c: MfaCommand, f: UserFactors) => c.factors.filter((id) => id !== "recovery-code" && !f.enrolled.includes(id) && f.available.includes(id));

/**
 * Where the login stands in the policy rule's commands (`FlowPolicy.commands`): Auth0 runs each
 * command as its own step, in order, and so does Keystep. A command is done once a check of its
 * kind (a challenge for challengeWith/challengeWithAny, an enrollment for enrollWith/enrollWithAny)
 * passed with one of its factors after the previous command was done (`Pending.proofs`, in
 * order): one proof never satisfies two commands, so the same factor named twice is asked twice.
 * An enroll command with nothing left to set up is done at once (Auth0: the login goes on).
 * `command` is the running one; once every command is done (`done`), the last one, whose setup
 * list still bounds what follows (the passkey offer). No commands: `command` is undefined.
 */
export function commandAt(flow: Flow, f: UserFactors): { index: number; command: MfaCommand | undefined; done: boolean } {
  const commands = flow.context.policy?.commands ?? [];
  const proofs = flow.pending.proofs ?? [];
  let cursor = 0;
  for (const [index, c] of commands.entries()) {
    const mode = isChallenge(c) ? "challenge" : "enroll";
    const hit = proofs.findIndex((p, at) => at >= cursor && p.mode === mode && c.factors.includes(p.factor));
    if (hit >= 0) {
      cursor = hit + 1;
      continue;
    }
    if (mode === "enroll" && toEnroll(c, f).length === 0) continue;
    return { index, command: c, done: false };
  }
  return { index: commands.length, command: commands.at(-1), done: true };
}

/**
 * The proof that counts now: the flow's proof, except while a challenge command of the sequence
 * waits for its own (the proofs before it still count towards `amr` and binding, never as its answer).
 */
function standingProof(flow: Flow, f: UserFactors): Pending["verified"] {
  const proof = flow.pending.verified;
  if (!proof || !flow.context.policy?.commands?.length) return proof;
  const at = commandAt(flow, f);
  return !at.done && at.command && isChallenge(at.command) ? undefined : proof;
}

/**
 * What the flow's enrollment link (FlowContext.enrollLink) still asks to set up: its factor if the
 * user lacks it and the deployment offers it; with no factor named, every offered factor the user
 * lacks, until one was set up in this flow. Empty: the link has nothing (left) to do.
 */
export function linkSetup(flow: Flow, f: UserFactors): FactorId[] {
  const link = flow.context.enrollLink;
  if (!link || flow.context.claims.intent === "manage") return [];
  const done = flow.pending.enrolled ?? [];
  if (link.factor !== null) return done.includes(link.factor) || f.enrolled.includes(link.factor) || !f.available.includes(link.factor) ? [] : [link.factor];
  if (done.some((id) => id !== "recovery-code")) return [];
  return PREFERENCE.filter((id) => f.available.includes(id) && !f.enrolled.includes(id) && !f.implicit.includes(id));
}

/**
 * The limits this flow runs under: the policy rule that matched at entry, or the command of that
 * rule's sequence that is running (Auth0's `challengeWith` … `enrollWithAny`, see {@link commandAt}).
 * The schema keeps `commands` and `factors` apart, so a rule sets one or the other.
 */
export function constraints(flow: Flow, f: UserFactors) {
  const rules = flow.context.policy?.factors ?? {};
  const at = commandAt(flow, f);
  const command = at.done ? undefined : at.command;
  const has = (list: readonly FactorId[]) => list.some((id) => f.enrolled.includes(id) || f.implicit.includes(id));
  let challenge: readonly FactorId[] | null = rules.require ?? rules.allow ?? null;
  let setup: readonly FactorId[] | null = rules.setup ?? rules.require ?? rules.allow ?? null;
  // Factors a rule or a command names: these are offered even below the user's tier.
  const named = new Set<FactorId>([...(rules.allow ?? []), ...(rules.require ?? [])]);
  // What the user must set up now, before the flow may end.
  let mustSetup: FactorId[] = [];
  if (rules.require && !has(rules.require)) mustSetup = rules.require.filter((id) => f.available.includes(id));
  else if (rules.forceSetup && !has(setup ?? f.available)) mustSetup = within(f.available, setup);
  let defaultFactor: FactorId | undefined;
  let defaultEnroll: FactorId | undefined;
  let challengePicker = false;
  // Auth0: a challenge command fails when the user has none of its factors; an enroll command sets one up.
  let setupWhenNone = true;
  if (command && isChallenge(command)) {
    challenge = within(command.factors, challenge);
    for (const id of command.factors) named.add(id);
    setupWhenNone = false;
    challengePicker = command.command === "challengeWithAny";
    if (command.command === "challengeWith") defaultFactor = command.factors[0];
  } else if (command) {
    // enrollWith / enrollWithAny: set up one of these the user does not have yet; with all of them
    // already enrolled the command has nothing to do and the login goes on as usual (Auth0's words).
    const remaining = toEnroll(command, f);
    setup = command.factors;
    const first = command.factors[0];
    defaultEnroll = command.command === "enrollWith" && first && remaining.includes(first) ? first : undefined;
    if (remaining.length > 0) mustSetup = defaultEnroll ? [defaultEnroll, ...remaining.filter((id) => id !== defaultEnroll)] : remaining;
  }
  // An enrollment link support issued: once the policy's own setups are done, its factor (or,
  // when it names none, one more offered factor) must be set up before the flow completes.
  const linked = mustSetup.length === 0 ? linkSetup(flow, f) : [];
  if (linked.length > 0) {
    mustSetup = linked;
    setup = linked;
    // A link that names its factor goes straight to that setup, as enrollWith does.
    if (flow.context.enrollLink?.factor) defaultEnroll = linked[0];
  }
  // Every command is done: the last enroll command still bounds what setup may offer (the passkey offer).
  if (at.done && at.command && !isChallenge(at.command)) setup = at.command.factors;
  // The proof before a required setup may not use the required list (the user has none of it):
  // it is the login's `allow` list, or any factor of the user's tier.
  const proof: readonly FactorId[] | null = mustSetup.length > 0 && rules.require ? (rules.allow ?? null) : challenge;
  return { challenge, setup, mustSetup, defaultFactor, defaultEnroll, challengePicker, setupWhenNone, named, proof };
}

/**
 * The factors that can prove this user: saved ones and the token's verified email, minus every
 * factor below the strongest tier the user holds, unless policy or the Action names it. Recovery
 * codes stay as the fallback. A user whose factors are all disabled is in recovery: recovery
 * codes only, never the email that a password holder may also control.
 */
function provable(flow: Flow, f: UserFactors, named: ReadonlySet<FactorId>): FactorId[] {
  const tier = userTier(f);
  const usable = CHALLENGE_ORDER.filter((id) => f.enrolled.includes(id) || f.implicit.includes(id));
  return usable.filter((id) => id === "recovery-code" || tierRank(id) >= tier || named.has(id));
}

/**
 * What the picker may offer now. A user with any factor (even a disabled one) must prove it at
 * their tier before adding another, or a stolen password alone could bind an attacker's device.
 */
export function options(flow: Flow, f: UserFactors): Options {
  const c = constraints(flow, f);
  const manage = flow.context.claims.intent === "manage";
  const firstSetup = c.mustSetup.length > 0 ? c.mustSetup : c.setupWhenNone || f.recovering ? PREFERENCE.filter((id) => f.available.includes(id) && !f.implicit.includes(id)) : [];
  if (standingProof(flow, f)) {
    if (manage) return { challenge: [], enroll: within(PREFERENCE, c.setup).filter((id) => f.available.includes(id) && !f.implicit.includes(id)) };
    // The email check before a first setup was passed: the setup the user chose is still open.
    if (f.enrolled.length === 0 && flow.pending.choice?.mode === "enroll") return { challenge: [], enroll: within(firstSetup, c.setup) };
    return { challenge: [], enroll: c.mustSetup };
  }
  if (holdsAny(f)) return { challenge: within(provable(flow, f, c.named), c.proof), enroll: [] };
  return { challenge: within(provable(flow, f, c.named), c.challenge), enroll: within(firstSetup, c.setup) };
}

/** The first-enrollment check (policy `firstEnrollment: "verify-email"`): prove the token's verified email first. */
function gate(flow: Flow, f: UserFactors): FactorId | undefined {
  if (flow.pending.verified || holdsAny(f)) return undefined;
  if ((flow.context.policy?.firstEnrollment ?? "verify-email") !== "verify-email") return undefined;
  return f.implicit.includes("email") ? "email" : undefined;
}

function enrollStep(flow: Flow, f: UserFactors, factor: FactorId): Step {
  const g = gate(flow, f);
  return g ? { kind: "challenge", factor: g, gate: true } : { kind: "enroll", factor };
}

/** Steps that bind something to the account: they need a fresh proof of the user's tier. */
const BINDING: ReadonlySet<Step["kind"]> = new Set(["enroll", "choose", "manage", "offer-passkey"]);

/** Whether a proof may bind: made recently, and of the user's tier (a recovery code is the recovery path, so it may). */
export function proofBinds(proof: NonNullable<Pending["verified"]>, f: UserFactors, now: number): boolean {
  return now - proof.at <= PROOF_MAX_AGE_MS && (proof.factor === "recovery-code" || tierRank(proof.factor) >= userTier(f));
}

/**
 * The one place that decides where a user goes next. Every page and every action asks it whether
 * it may act, and redirects when it is not the step; a flow completes only when it says `complete`.
 */
export function nextStep(flow: Flow, f: UserFactors, now = Date.now()): Step {
  if (flow.status === "done") {
    const reason = flow.result?.reason;
    return flow.outcome === "denied" && reason && reason !== "cancelled" ? { kind: "ended", reason } : { kind: "continue" };
  }
  // A challenge command of the sequence that is still waiting asks for its own proof.
  const proof = standingProof(flow, f);
  if (!proof) return activeStep(flow, f);
  const step = verifiedStep(flow, f, proof, now);
  if (!BINDING.has(step.kind) || proofBinds(proof, f, now)) return step;
  // The proof is too old, or weaker than the user's tier (a login rule allowed a lower factor):
  // prove again before anything is bound. The new proof joins the old one.
  const { verified: _stale, choice: _choice, ...rest } = flow.pending;
  return activeStep({ ...flow, pending: rest }, f);
}

/** After a proof: save recovery codes, finish a setup, manage, see the offer, then complete. */
function verifiedStep(flow: Flow, f: UserFactors, proof: NonNullable<Pending["verified"]>, now: number): Step {
  const p = flow.pending;
  const o = options(flow, f);
  const regenerate = proofBinds(proof, f, now) && (proof.factor === "recovery-code" || flow.context.claims.intent === "manage");
  // Codes issued in this flow are shown until the user says they saved them.
  if (p.recoveryCodes) return { kind: "recovery-codes", regenerate };
  const choice = p.choice;
  if (choice?.mode === "enroll" && o.enroll.includes(choice.factor)) return { kind: "enroll", factor: choice.factor };
  if (flow.context.claims.intent === "manage") return p.manageDone ? { kind: "complete" } : { kind: "manage" };
  const [onlySetup] = o.enroll;
  if (onlySetup) return o.enroll.length === 1 ? { kind: "enroll", factor: onlySetup } : { kind: "choose" };
  // A recovery code was used: show how many remain, with a new set one tap away.
  if (proof.factor === "recovery-code" && !p.recoveryDone) return { kind: "recovery-codes", regenerate };
  if (offerDue(flow, f, proof, now)) return { kind: "offer-passkey" };
  return { kind: "complete" };
}

/** "Sign in faster next time with a passkey": after another factor, for a user with no passkey, once per flow. */
function offerDue(flow: Flow, f: UserFactors, proof: NonNullable<Pending["verified"]>, now: number): boolean {
  const p = flow.pending;
  if (p.offerDone || flow.context.offerSnoozed || !f.available.includes("webauthn-platform") || f.enrolled.includes("webauthn-platform")) return false;
  if (proof.amr.some((a) => a.startsWith("webauthn")) || (p.enrolled ?? []).some((id) => id.startsWith("webauthn"))) return false;
  const { setup } = constraints(flow, f);
  return within(["webauthn-platform"], setup).length > 0 && proofBinds(proof, f, now);
}

/** No proof yet: the challenge, a first setup, or the picker. */
function activeStep(flow: Flow, f: UserFactors): Step {
  const o = options(flow, f);
  const choice = flow.pending.choice;
  if (choice?.mode === "challenge" && o.challenge.includes(choice.factor)) return { kind: "challenge", factor: choice.factor };
  if (choice?.mode === "enroll" && o.enroll.includes(choice.factor)) return enrollStep(flow, f, choice.factor);
  if (o.challenge.length === 0 && o.enroll.length === 0) return { kind: "ended", reason: holdsAny(f) && f.enrolled.length === 0 ? "recovery_required" : "no_allowed_factor" };

  const c = constraints(flow, f);
  if (holdsAny(f)) {
    const real: FactorId[] = o.challenge.filter((id) => id !== "recovery-code");
    if (c.challengePicker && real.length >= 2) return { kind: "choose" };
    const preferred = [c.defaultFactor, f.lastUsed, ...PREFERENCE.filter((id) => f.enrolled.includes(id))].find((id) => id && real.includes(id));
    if (preferred) return { kind: "challenge", factor: preferred };
    // Only recovery codes (and what policy names) are left: let the user pick.
    const [only] = o.challenge;
    if (o.challenge.length > 1 || !only) return { kind: "choose" };
    return { kind: "challenge", factor: only };
  }
  if (o.enroll.length + o.challenge.length > 1) {
    // enrollWith names the default; the others are behind "Try another method".
    const [first] = o.enroll;
    if (first && c.defaultFactor === undefined && first === c.defaultEnroll) return enrollStep(flow, f, first);
    return { kind: "choose" };
  }
  const [setupOne] = o.enroll;
  if (setupOne) return enrollStep(flow, f, setupOne);
  const [challengeOne] = o.challenge;
  // Unreachable: no option at all returned "ended" above.
  return challengeOne ? { kind: "challenge", factor: challengeOne } : { kind: "ended", reason: "no_allowed_factor" };
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
    case "recovery-codes":
      return "/recovery-codes";
    case "offer-passkey":
      return "/upgrade";
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
