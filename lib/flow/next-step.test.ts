import { describe, expect, it } from "vitest";
import { tierRank, type FactorId } from "@/lib/factors/registry";
import { commandAt, nextStep, options, PROOF_MAX_AGE_MS, userTier, type UserFactors } from "./next-step";
import type { Flow, FlowPolicy, MfaCommand as Command, Pending, Step } from "./types";

function flow(o: { commands?: Command[]; policy?: Partial<FlowPolicy>; pending?: Pending; intent?: "manage"; email?: boolean } = {}): Flow {
  return {
    id: "f",
    tenant: "t.auth0.com",
    sub: "auth0|1",
    state: "S",
    status: "active",
    context: {
      claims: { iss: "t.auth0.com", sub: "auth0|1", iat: 1, exp: 2, ...(o.intent ? { intent: o.intent } : {}) },
      ip: null,
      userAgent: null,
      policy: {
        outcome: "CHALLENGE",
        rule: null,
        reason: null,
        factors: {},
        canRemember: true,
        rememberDays: 30,
        firstEnrollment: "none",
        ...(o.commands ? { commands: o.commands } : {}),
        ...o.policy,
      },
    },
    pending: o.pending ?? {},
    failedAttempts: 0,
    outcome: null,
    result: null,
    createdAt: 0,
    expiresAt: 1,
  };
}

const ALL: FactorId[] = ["webauthn-platform", "webauthn-roaming", "otp", "phone", "email"];
const user = (enrolled: FactorId[], extra: Partial<UserFactors> = {}): UserFactors => ({ enrolled, implicit: [], available: ALL, ...extra });
// A proof made just now (binding steps need one younger than PROOF_MAX_AGE_MS), with the check that made it.
const verified: Pending = { verified: { factor: "otp" as FactorId, amr: ["otp"], at: Date.now() }, proofs: [{ factor: "otp", mode: "challenge" }] };

describe("nextStep without a command (Keystep's defaults)", () => {
  it.each<[string, Flow, UserFactors, Step]>([
    ["a new user chooses among every setup option", flow(), user([]), { kind: "choose" }],
    ["a returning user is challenged with their strongest factor", flow(), user(["otp", "webauthn-roaming"]), { kind: "challenge", factor: "webauthn-roaming" }],
    ["…or with the factor of that tier they used last", flow(), user(["webauthn-platform", "webauthn-roaming"], { lastUsed: "webauthn-roaming" }), { kind: "challenge", factor: "webauthn-roaming" }],
    ["a weaker factor used last is not offered once a stronger one is held", flow(), user(["otp", "webauthn-roaming"], { lastUsed: "otp" }), { kind: "challenge", factor: "webauthn-roaming" }],
    ["recovery codes alone are challenged", flow(), user(["recovery-code"]), { kind: "challenge", factor: "recovery-code" }],
    ["recovery codes and the token's email: the picker", flow(), user(["recovery-code"], { implicit: ["email", "magic-link"] }), { kind: "choose" }],
    ["a chosen challenge factor is honoured", flow({ pending: { choice: { factor: "otp", mode: "challenge" } } }), user(["otp", "phone"]), { kind: "challenge", factor: "otp" }],
    ["a chosen factor the user lacks is ignored", flow({ pending: { choice: { factor: "phone", mode: "challenge" } } }), user(["otp"]), { kind: "challenge", factor: "otp" }],
  ])("%s", (_name, f, u, step) => expect(nextStep(f, u)).toEqual(step));

  it("never offers setup before a user with a factor has passed a challenge", () => {
    expect(options(flow(), user(["otp"])).enroll).toEqual([]);
  });
});

const cw = (...factors: FactorId[]): Command => ({ command: "challengeWith", factors });
const cwa = (...factors: FactorId[]): Command => ({ command: "challengeWithAny", factors });
const ew = (...factors: FactorId[]): Command => ({ command: "enrollWith", factors });
const ewa = (...factors: FactorId[]): Command => ({ command: "enrollWithAny", factors });

/**
 * Auth0's "Customize MFA selection" and "Customize MFA enrollments" pages, example by example:
 * the command a policy rule gives, what the user has, and where Auth0 would send them.
 */
describe("Auth0 command parity", () => {
  it.each<[string, Command, FactorId[], Step, FactorId[]?, FactorId[]?]>([
    // challengeWith(factor): that factor is the default challenge.
    ["challengeWith(phone) challenges with phone", cw("phone"), ["otp", "phone"], { kind: "challenge", factor: "phone" }],
    ["challengeWith(phone) beats the factor used last", cw("phone"), ["otp", "phone", "webauthn-platform"], { kind: "challenge", factor: "phone" }],
    // challengeWith(factor, {additionalFactors}): "Try another method" offers the others the user has.
    [
      "challengeWith(phone, [otp, email]) offers the user's others behind 'Try another method'",
      cw("phone", "otp", "email"),
      ["otp", "phone", "webauthn-roaming"],
      { kind: "challenge", factor: "phone" },
      ["otp", "phone"],
    ],
    ["challengeWith(phone, [otp]) without phone falls to an additional factor", cw("phone", "otp"), ["otp"], { kind: "challenge", factor: "otp" }, ["otp"]],
    // challengeWithAny: picker with two or more, skipped with one, fails with none.
    ["challengeWithAny([otp, phone]) shows the picker when the user has both", cwa("otp", "phone"), ["otp", "phone"], { kind: "choose" }, ["otp", "phone"]],
    ["challengeWithAny([otp, phone]) skips the picker when the user has one", cwa("otp", "phone"), ["phone", "webauthn-roaming"], { kind: "challenge", factor: "phone" }, ["phone"]],
    ["challengeWithAny([otp, phone]) fails when the user has neither", cwa("otp", "phone"), ["webauthn-roaming"], { kind: "ended", reason: "no_allowed_factor" }, []],
    ["challengeWith(otp) fails for a user with no factor at all (no setup)", cw("otp"), [], { kind: "ended", reason: "no_allowed_factor" }, []],
    // enrollWith(factor): the user sets that factor up; others are behind "Try another method".
    ["enrollWith(webauthn-platform) sets up a passkey for a new user", ew("webauthn-platform"), [], { kind: "enroll", factor: "webauthn-platform" }],
    ["enrollWith(phone, [otp]) defaults to phone", ew("phone", "otp"), [], { kind: "enroll", factor: "phone" }],
    ["enrollWith(webauthn-roaming) makes a user with a factor prove it first", ew("webauthn-roaming"), ["otp"], { kind: "challenge", factor: "otp" }],
    // enrollWithAny: picker of the missing ones; skipped with one missing; nothing to do with none missing.
    ["enrollWithAny([otp, phone]) shows the picker to a new user", ewa("otp", "phone"), [], { kind: "choose" }, [], ["otp", "phone"]],
    ["enrollWithAny([otp, phone]) with otp enrolled challenges first, then sets up phone", ewa("otp", "phone"), ["otp"], { kind: "challenge", factor: "otp" }],
    ["enrollWithAny([otp, phone]) with both enrolled just challenges (the command fails, login goes on)", ewa("otp", "phone"), ["otp", "phone"], { kind: "challenge", factor: "otp" }],
  ] as Array<[string, Command, FactorId[], Step, FactorId[]?, FactorId[]?]>)("%s", (_name, mfa, enrolled, step, challengeOptions?: FactorId[], enrollOptions?: FactorId[]) => {
    const f = flow({ commands: [mfa] });
    expect(nextStep(f, user(enrolled))).toEqual(step);
    if (challengeOptions) expect(options(f, user(enrolled)).challenge).toEqual(challengeOptions);
    if (enrollOptions) expect(options(f, user(enrolled)).enroll).toEqual(enrollOptions);
  });

  it("after the proof, enrollWithAny([otp, phone]) goes straight to the missing one", () => {
    expect(nextStep(flow({ commands: [ewa("otp", "phone")], pending: verified }), user(["otp"]))).toEqual({ kind: "enroll", factor: "phone" });
  });

  it("after the proof, enrollWithAny with two missing shows the picker of those two", () => {
    const f = flow({ commands: [ewa("otp", "phone", "webauthn-roaming")], pending: verified });
    expect(nextStep(f, user(["otp"]))).toEqual({ kind: "choose" });
    expect(options(f, user(["otp"])).enroll).toEqual(["phone", "webauthn-roaming"]);
  });

  it("a challenge command's verification completes the flow", () => {
    expect(nextStep(flow({ commands: [cw("otp")], pending: { ...verified, offerDone: true } }), user(["otp"]))).toEqual({ kind: "complete" });
  });

  it("a proof with another factor brings the passkey offer first, once", () => {
    expect(nextStep(flow({ commands: [cw("otp")], pending: verified }), user(["otp"]))).toEqual({ kind: "offer-passkey" });
    expect(nextStep(flow({ commands: [cw("otp")], pending: { ...verified, offerDone: true } }), user(["otp"]))).toEqual({ kind: "complete" });
  });
});

/**
 * Threat: a login that passes one factor is counted as passing a rule that asks for two (Auth0
 * runs each challengeWith/enrollWith call as its own step; "the last call wins" let ported Action
 * code get weaker).
 * Defence: the rule's commands run in order, each needs a check of its own made after the previous
 * command was done (Pending.proofs), and nextStep says `complete` only after the last one.
 */
describe("a rule's commands run in sequence, each its own step", () => {
  const admin = user(["otp", "webauthn-roaming", "recovery-code"], { lastUsed: "otp" });
  const passed = (...checks: Array<[FactorId, "challenge" | "enroll"]>): Pending => {
    const amr = [...new Set(checks.map(([id]) => id))];
    const [last] = checks.at(-1)!;
    return { verified: { factor: last, amr, at: Date.now() }, proofs: checks.map(([factor, mode]) => ({ factor, mode })), offerDone: true };
  };
  const twice = [cw("otp"), cw("webauthn-roaming")];

  it("an admin challenged twice must pass both before the login completes", () => {
    expect(nextStep(flow({ commands: twice }), admin)).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ commands: twice, pending: passed(["otp", "challenge"]) }), admin)).toEqual({ kind: "challenge", factor: "webauthn-roaming" });
    const both = flow({ commands: twice, pending: passed(["otp", "challenge"], ["webauthn-roaming", "challenge"]) });
    expect(nextStep(both, admin)).toEqual({ kind: "complete" });
    expect(commandAt(both, admin)).toMatchObject({ index: 2, done: true });
  });

  it("threat: a second challenge in the sequence cannot be satisfied by the first proof", () => {
    const f = flow({ commands: twice, pending: passed(["otp", "challenge"]) });
    // The proof held is the app's: it counts for `amr`, never as the key's answer.
    expect(nextStep(f, admin)).not.toEqual({ kind: "complete" });
    expect(options(f, admin)).toEqual({ challenge: ["webauthn-roaming"], enroll: [] });
    // Passing the app again does not answer the key either.
    expect(nextStep(flow({ commands: twice, pending: passed(["otp", "challenge"], ["otp", "challenge"]) }), admin)).toEqual({ kind: "challenge", factor: "webauthn-roaming" });
    // A check out of order (the key before the app) answers neither the first command nor the second.
    expect(nextStep(flow({ commands: twice, pending: passed(["webauthn-roaming", "challenge"]) }), admin)).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ commands: twice, pending: passed(["webauthn-roaming", "challenge"], ["otp", "challenge"]) }), admin)).toEqual({ kind: "challenge", factor: "webauthn-roaming" });
  });

  it("a later challengeWithAny shows its own picker, and the pick is honoured", () => {
    const commands = [cw("otp"), cwa("webauthn-roaming", "webauthn-platform")];
    const both = user(["otp", "webauthn-roaming", "webauthn-platform"]);
    const f = flow({ commands, pending: passed(["otp", "challenge"]) });
    expect(nextStep(f, both)).toEqual({ kind: "choose" });
    expect(options(f, both)).toEqual({ challenge: ["webauthn-platform", "webauthn-roaming"], enroll: [] });
    const picked = flow({ commands, pending: { ...passed(["otp", "challenge"]), choice: { factor: "webauthn-platform", mode: "challenge" } } });
    expect(nextStep(picked, both)).toEqual({ kind: "challenge", factor: "webauthn-platform" });
  });

  it("the same factor named twice is asked twice, as Auth0 runs each call", () => {
    const commands = [cw("otp"), cw("otp")];
    expect(nextStep(flow({ commands, pending: passed(["otp", "challenge"]) }), admin)).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ commands, pending: passed(["otp", "challenge"], ["otp", "challenge"]) }), admin)).toEqual({ kind: "complete" });
  });

  it("a challenge, then a setup: the first command's proof is the proof before binding", () => {
    const commands = [cw("otp"), ew("webauthn-roaming")];
    const app = user(["otp"]);
    expect(nextStep(flow({ commands }), app)).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ commands, pending: passed(["otp", "challenge"]) }), app)).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
    expect(nextStep(flow({ commands, pending: passed(["otp", "challenge"], ["webauthn-roaming", "enroll"]) }), user(["otp", "webauthn-roaming"]))).toEqual({ kind: "complete" });
    // A proof too old to bind is asked for again before the setup (the binding rule), then the setup follows.
    const stale: Pending = { ...passed(["otp", "challenge"]), verified: { factor: "otp", amr: ["otp"], at: Date.now() - PROOF_MAX_AGE_MS - 1 } };
    expect(nextStep(flow({ commands, pending: stale }), app)).toEqual({ kind: "challenge", factor: "otp" });
  });

  it("a setup of a factor does not answer a later challenge of it", () => {
    const commands = [ew("otp"), cw("otp")];
    expect(nextStep(flow({ commands }), user([]))).toEqual({ kind: "enroll", factor: "otp" });
    expect(nextStep(flow({ commands, pending: passed(["otp", "enroll"]) }), user(["otp"]))).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ commands, pending: passed(["otp", "enroll"], ["otp", "challenge"]) }), user(["otp"]))).toEqual({ kind: "complete" });
  });

  it("enrollWithAny is one of its factors: a new user who sets up the app is done, and offered no other", () => {
    const f = flow({ commands: [ewa("otp", "phone")], pending: passed(["otp", "enroll"]) });
    expect(nextStep(f, user(["otp"]))).toEqual({ kind: "complete" });
    expect(nextStep({ ...f, pending: { ...f.pending, offerDone: undefined } }, user(["otp"]))).toEqual({ kind: "complete" });
  });

  it("an enroll command with nothing to set up is skipped; the next command runs", () => {
    const f = flow({ commands: [ew("webauthn-roaming"), cw("otp")] });
    expect(commandAt(f, admin)).toMatchObject({ index: 1, done: false });
    expect(nextStep(f, admin)).toEqual({ kind: "challenge", factor: "otp" });
  });

  it("a later challenge the user cannot meet ends the login, whatever passed before", () => {
    expect(nextStep(flow({ commands: twice, pending: passed(["otp", "challenge"]) }), user(["otp"]))).toEqual({ kind: "ended", reason: "no_allowed_factor" });
  });
});

describe("policy factor rules", () => {
  it("require: a user without the required factor proves another, then must set it up", () => {
    const policy = { factors: { require: ["webauthn-roaming"] as FactorId[] } };
    expect(nextStep(flow({ policy }), user(["otp"]))).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ policy, pending: verified }), user(["otp"]))).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
  });

  it("require: a user with the required factor is challenged with it only, recovery codes included only if listed", () => {
    const policy = { factors: { require: ["webauthn-roaming"] as FactorId[] } };
    expect(nextStep(flow({ policy }), user(["otp", "webauthn-roaming", "recovery-code"], { lastUsed: "otp" }))).toEqual({ kind: "challenge", factor: "webauthn-roaming" });
    expect(options(flow({ policy }), user(["otp", "webauthn-roaming", "recovery-code"])).challenge).toEqual(["webauthn-roaming"]);
  });

  it("allow: limits what satisfies the challenge and what first setup offers", () => {
    const policy = { factors: { allow: ["otp", "webauthn-platform"] as FactorId[] } };
    expect(options(flow({ policy }), user([])).enroll).toEqual(["webauthn-platform", "otp"]);
    expect(options(flow({ policy }), user(["otp", "phone"])).challenge).toEqual(["otp"]);
  });

  it("setup + forceSetup: a user with none of the setup factors must add one after proving themselves", () => {
    const policy = { factors: { setup: ["webauthn-platform", "webauthn-roaming"] as FactorId[], forceSetup: true } };
    expect(nextStep(flow({ policy }), user(["otp"]))).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ policy, pending: verified }), user(["otp"]))).toEqual({ kind: "choose" });
    expect(options(flow({ policy, pending: verified }), user(["otp"])).enroll).toEqual(["webauthn-platform", "webauthn-roaming"]);
    expect(nextStep(flow({ policy }), user(["otp", "webauthn-platform"]))).toEqual({ kind: "challenge", factor: "webauthn-platform" });
  });
});

describe("first enrollment behind the verified email", () => {
  const gated = { firstEnrollment: "verify-email" as const };
  const withEmail = (enrolled: FactorId[]) => user(enrolled, { implicit: ["email", "magic-link"] });

  it("choosing a setup option first proves the email with a code", () => {
    const f = flow({ policy: gated, pending: { choice: { factor: "otp", mode: "enroll" } } });
    expect(nextStep(f, withEmail([]))).toEqual({ kind: "challenge", factor: "email", gate: true });
  });

  it("after the email code, the chosen setup follows", () => {
    const f = flow({ policy: gated, pending: { choice: { factor: "otp", mode: "enroll" }, verified: { factor: "email", amr: ["email"], at: Date.now() } } });
    expect(nextStep(f, withEmail([]))).toEqual({ kind: "enroll", factor: "otp" });
  });

  it("choosing email itself is a plain email challenge", () => {
    const f = flow({ policy: gated, pending: { choice: { factor: "email", mode: "challenge" } } });
    expect(nextStep(f, withEmail([]))).toEqual({ kind: "challenge", factor: "email" });
  });

  it("does not apply without a verified email, or when turned off", () => {
    const choice: Pending = { choice: { factor: "otp", mode: "enroll" } };
    expect(nextStep(flow({ policy: gated, pending: choice }), user([]))).toEqual({ kind: "enroll", factor: "otp" });
    expect(nextStep(flow({ policy: { firstEnrollment: "none" }, pending: choice }), withEmail([]))).toEqual({ kind: "enroll", factor: "otp" });
  });
});

describe("self-service management", () => {
  it("asks for a fresh challenge, then opens the manage screen", () => {
    expect(nextStep(flow({ intent: "manage" }), user(["otp"]))).toEqual({ kind: "challenge", factor: "otp" });
    expect(nextStep(flow({ intent: "manage", pending: verified }), user(["otp"]))).toEqual({ kind: "manage" });
  });

  it("offers adding any available factor after the challenge", () => {
    const f = flow({ intent: "manage", pending: { ...verified, choice: { factor: "webauthn-platform", mode: "enroll" } } });
    expect(options(f, user(["otp"])).enroll).toEqual(["webauthn-platform", "webauthn-roaming", "otp", "phone", "email"]);
    expect(nextStep(f, user(["otp"]))).toEqual({ kind: "enroll", factor: "webauthn-platform" });
  });
});

/**
 * Threat: any path that gains a factor or finishes a login without the proof the policy asks for.
 * Defence: one decider. Every flow state × user × policy × pending mark is run through nextStep,
 * and each step kind may come only from the states that allow it; binding steps need a fresh
 * proof of the user's tier (or a user who holds nothing yet: first enrollment).
 */
describe("nextStep over the whole state space", () => {
  const NOW = 10 * PROOF_MAX_AGE_MS;
  const proof = (factor: FactorId, age = 0): Pending => ({ verified: { factor, amr: [factor], at: NOW - age }, proofs: [{ factor, mode: "challenge" }] });
  const states: Record<string, { status: Flow["status"]; outcome: Flow["outcome"]; reason?: "cancelled" | "too_many_attempts"; pending: Pending }> = {
    active: { status: "active", outcome: null, pending: {} },
    "verified (fresh, app)": { status: "active", outcome: null, pending: proof("otp") },
    "verified (fresh, email)": { status: "active", outcome: null, pending: proof("email") },
    "verified (fresh, recovery code)": { status: "active", outcome: null, pending: proof("recovery-code") },
    "verified (stale)": { status: "active", outcome: null, pending: proof("otp", PROOF_MAX_AGE_MS + 1) },
    complete: { status: "done", outcome: "success", pending: {} },
    denied: { status: "done", outcome: "denied", reason: "too_many_attempts", pending: {} },
    cancelled: { status: "done", outcome: "denied", reason: "cancelled", pending: {} },
  };
  const users: Record<string, UserFactors> = {
    nothing: user([], { implicit: ["email", "magic-link"] }),
    app: user(["otp"], { implicit: ["email", "magic-link"] }),
    "app + passkey": user(["otp", "webauthn-platform", "recovery-code"], { implicit: ["email", "magic-link"] }),
    "disabled app": user([], { disabled: ["otp"], implicit: ["email", "magic-link"] }),
    "disabled app + codes": user(["recovery-code"], { disabled: ["otp"] }),
  };
  const setups: Record<string, Parameters<typeof flow>[0]> = {
    default: {},
    "key required": { policy: { factors: { require: ["webauthn-roaming"] } } },
    "force setup": { policy: { factors: { setup: ["otp", "webauthn-platform"], forceSetup: true } } },
    "email allowed by name": { policy: { factors: { allow: ["email", "otp", "webauthn-platform"] } } },
    manage: { intent: "manage" },
    "challengeWith otp": { commands: [cw("otp")] },
    "enrollWith key": { commands: [ew("webauthn-roaming")] },
    "otp, then the key": { commands: [cw("otp"), cw("webauthn-roaming")] },
    "otp, then set up a key": { commands: [cw("otp"), ew("webauthn-roaming")] },
    "otp twice": { commands: [cw("otp"), cw("otp")] },
  };
  const marks: Record<string, Pending> = {
    none: {},
    "chose app setup": { choice: { factor: "otp", mode: "enroll" } },
    "chose app challenge": { choice: { factor: "otp", mode: "challenge" } },
    "codes to save": { recoveryCodes: "sealed" },
    "everything answered": { recoveryDone: true, offerDone: true, manageDone: true },
  };
  const ALLOWED: Record<string, ReadonlySet<Step["kind"]>> = {
    active: new Set(["challenge", "enroll", "choose", "ended"]),
    // `challenge`/`ended`: a stale or weak proof must be made again, and may no longer be possible.
    verified: new Set(["challenge", "enroll", "choose", "manage", "recovery-codes", "offer-passkey", "complete", "ended"]),
    complete: new Set(["continue"]),
    denied: new Set(["ended", "continue"]),
  };
  const BINDING = new Set<Step["kind"]>(["enroll", "manage", "offer-passkey"]);
  const seen = new Set<Step["kind"]>();

  for (const [stateName, st] of Object.entries(states)) {
    it(`state ${stateName}: every step it gives is one that state allows`, () => {
      for (const [userName, u] of Object.entries(users)) {
        for (const [setupName, setup] of Object.entries(setups)) {
          for (const [markName, mark] of Object.entries(marks)) {
            const base = flow(setup);
            const f: Flow = { ...base, status: st.status, outcome: st.outcome, result: st.reason ? { amr: [], enrolled: [], reason: st.reason } : null, pending: { ...mark, ...st.pending } };
            const s = nextStep(f, u, NOW);
            seen.add(s.kind);
            const where = `${stateName} / ${userName} / ${setupName} / ${markName} → ${JSON.stringify(s)}`;
            const kind = st.status === "done" ? (st.outcome === "success" ? "complete" : "denied") : f.pending.verified ? "verified" : "active";
            expect(ALLOWED[kind]!.has(s.kind), where).toBe(true);
            if (BINDING.has(s.kind)) {
              const holdsNothing = u.enrolled.length === 0 && (u.disabled ?? []).length === 0;
              const v = f.pending.verified;
              const binds = !!v && NOW - v.at <= PROOF_MAX_AGE_MS && (v.factor === "recovery-code" || tierRank(v.factor) >= userTier(u));
              expect(holdsNothing || binds, `binding without a proof: ${where}`).toBe(true);
            }
            if (s.kind === "complete") expect(f.pending.verified, where).toBeDefined();
          }
        }
      }
    });
  }

  it("the table reaches every step kind", () => {
    expect([...seen].sort()).toEqual(["challenge", "choose", "complete", "continue", "ended", "enroll", "manage", "offer-passkey", "recovery-codes"]);
  });
});

describe("nextStep under an enrollment link (FlowContext.enrollLink)", () => {
  const linked = (factor: FactorId | null, o: Parameters<typeof flow>[0] = {}): Flow => {
    const f = flow(o);
    return { ...f, context: { ...f.context, enrollLink: { id: "l", factor } } };
  };
  it.each<[string, Flow, UserFactors, Step]>([
    ["a user with a factor proves it first", linked("webauthn-roaming"), user(["otp"]), { kind: "challenge", factor: "otp" }],
    ["then sets up the factor the link names", linked("webauthn-roaming", { pending: verified }), user(["otp"]), { kind: "enroll", factor: "webauthn-roaming" }],
    ["a new user goes straight to that setup", linked("webauthn-roaming"), user([]), { kind: "enroll", factor: "webauthn-roaming" }],
    ["a link naming no factor offers every one the user lacks", linked(null, { pending: verified }), user(["otp"]), { kind: "choose" }],
    [
      "once set up in this flow, the flow completes",
      linked("webauthn-roaming", { pending: { ...verified, enrolled: ["webauthn-roaming"], offerDone: true } }),
      user(["otp", "webauthn-roaming"]),
      { kind: "complete" },
    ],
    ["a link naming no factor is done after any one setup", linked(null, { pending: { ...verified, enrolled: ["phone"], offerDone: true } }), user(["otp", "phone"]), { kind: "complete" }],
    ["a factor the user already has leaves nothing to do", linked("otp", { pending: { ...verified, offerDone: true } }), user(["otp"]), { kind: "complete" }],
    [
      "a factor the deployment stopped offering leaves nothing to do",
      linked("webauthn-roaming", { pending: { ...verified, offerDone: true } }),
      user(["otp"], { available: ["otp"] }),
      { kind: "complete" },
    ],
    ["a management sign-in ignores it", linked("webauthn-roaming", { intent: "manage", pending: verified }), user(["otp"]), { kind: "manage" }],
  ])("%s", (_name, f, u, step) => expect(nextStep(f, u)).toEqual(step));

  it("waits for a setup the policy requires, then asks for its own", () => {
    const f = linked("webauthn-roaming", { pending: verified, commands: [{ command: "enrollWith", factors: ["phone"] }] });
    expect(nextStep(f, user(["otp"]))).toEqual({ kind: "enroll", factor: "phone" });
    const after = { ...f, pending: { ...verified, proofs: [...(verified.proofs ?? []), { factor: "phone" as const, mode: "enroll" as const }], enrolled: ["phone" as const] } };
    expect(nextStep(after, user(["otp", "phone"]))).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
  });
});
