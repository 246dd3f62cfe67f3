import type { SessionClaims } from "@/lib/auth0/inbound";
import type { FactorId } from "@/lib/factors/registry";

/** The factor lists a policy rule sets (lib/policy); every list is optional. */
export interface FactorRules {
  /** Factors that may satisfy the challenge. */
  allow?: FactorId[];
  /** The user must use one of these; without any, they must set one up. */
  require?: FactorId[];
  /** Factors that setup may offer. */
  setup?: FactorId[];
  /** A user with none of the `setup` factors must set one up now. */
  forceSetup?: boolean;
}

/** Auth0's per-login MFA commands (`api.authentication.challengeWith` …), by their names. */
export const COMMAND_NAMES = ["challengeWith", "challengeWithAny", "enrollWith", "enrollWithAny"] as const;

/**
 * One per-login command of a policy rule (`commands`, lib/policy/schema.ts), normalised: for
 * `challengeWith` and `enrollWith`, `factors[0]` is the factor named and the rest its
 * `additionalFactors`; for the `…Any` commands, every factor listed.
 */
export interface MfaCommand {
  command: (typeof COMMAND_NAMES)[number];
  factors: FactorId[];
}

/** The policy decision taken at entry (lib/policy/evaluate.ts), kept with the flow. */
export interface FlowPolicy {
  outcome: "ALLOW" | "CHALLENGE" | "DENY";
  rule: string | null;
  /** What "Why am I asked?" says; null shows nothing. */
  reason: string | null;
  factors: FactorRules;
  /**
   * The matched rule's commands, run in order, each its own step (lib/flow/next-step.ts
   * `commandAt`); absent when the rule has none.
   */
  commands?: MfaCommand[];
  /** Show "Don't ask again on this device for N days". */
  canRemember: boolean;
  rememberDays: number;
  /** "verify-email": a user with no factor proves their verified email before the first setup. */
  firstEnrollment: "verify-email" | "none";
  /** Self-service recovery (lib/recovery): absent on flows opened before it existed, which use the defaults. */
  recovery?: { selfService: boolean; waitHours: number };
}

/** What Keystep learnt at entry; fixed for the flow's life. */
export interface FlowContext {
  claims: SessionClaims;
  ip: string | null;
  userAgent: string | null;
  /** Absent on flows opened before policies existed: treated as the default policy. */
  policy?: FlowPolicy;
  /** Keyed hash of this browser's device cookie, minted at entry when it had none. */
  deviceHash?: string;
  /**
   * The same cookie's hash under every configured key, current first (absent on flows from before):
   * what a binding made before a key rotation (a recovery request) is compared with.
   */
  deviceHashes?: string[];
  /** This browser said "not now" to the passkey offer within the last 30 days (cookie at entry). */
  offerSnoozed?: boolean;
  /**
   * The enrollment link this browser claimed for this user (lib/enrollment-links.ts): the flow must
   * set up its factor (null: any offered factor) before it completes; the setup uses the link up.
   */
  enrollLink?: { id: string; factor: FactorId | null };
}

/**
 * Mutable per-flow state: the authenticator-app key being enrolled (sealed with the flow id as
 * AAD) and the method the user picked on /choose.
 */
export interface Pending {
  otp?: { sealedSecret: string; startedAt: number };
  choice?: { factor: FactorId; mode: "enroll" | "challenge" };
  /** The outstanding WebAuthn challenge: single use, expires in 5 minutes. An enrollment keeps the user handle its options gave, to store with the credential. */
  webauthn?: { challenge: string; purpose: "enroll" | "challenge"; factor: FactorId; expiresAt: number; userHandle?: string };
  /** Freshly issued recovery codes, sealed with the flow id as AAD, until the user confirms saving them. */
  recoveryCodes?: string;
  /**
   * The proof made in this flow: the strongest factor proved (a setup proves its own factor),
   * every `amr` so far, and when (binding a factor needs a proof younger than PROOF_MAX_AGE_MS).
   * A flow holding it is in the `verified` state until nextStep says `complete`.
   */
  verified?: { factor: FactorId; amr: string[]; at: number };
  /**
   * Every check passed in this flow, in order, and whether it was a challenge or an enrollment.
   * The policy rule's commands advance on it: each command needs a check of its own, made after
   * the previous command was done (lib/flow/next-step.ts `commandAt`).
   */
  proofs?: Array<{ factor: FactorId; mode: "enroll" | "challenge" }>;
  /** Factors bound in this flow (the result's `enrolled`). */
  enrolled?: FactorId[];
  /** The recovery-codes step was passed (codes saved, or the remaining count seen). */
  recoveryDone?: true;
  /** The passkey offer was answered (accepted, or "not now"). */
  offerDone?: true;
  /** Self-service management ended with "Done". */
  manageDone?: true;
  /** The user ticked "Don't ask again on this device" with their proof (honoured at completion, where policy allows). */
  remember?: true;
  /**
   * Self-service recovery (lib/recovery, decision 0013): this browser proved the email again for
   * its ripe request `requestId` at `at`. Until the flow completes, the user's factors from before
   * `at` do not count (lib/flow/user-factors.ts): they set up a new one, and completing the flow
   * completes the request (lib/flow/transition.ts). The email proof is never a sign-in proof.
   */
  recovery?: { requestId: string; at: number };
}

export interface FlowResult {
  amr: string[];
  enrolled: string[];
  reason?: EndReason;
  /** Set when policy let the user through without a challenge (the matched rule's name). */
  skipped?: string;
}

/** Why a flow ended without success; each maps to a message in the `ended` namespace. */
export type EndReason = "cancelled" | "too_many_attempts" | "policy_denied" | "no_allowed_factor" | "reported" | "recovery_required" | "recovery_pending" | "recovery_void";

export interface Flow {
  id: string;
  /** The user's tenant (Tenant.id); `context.claims.iss` is the domain this login came through. */
  tenant: string;
  sub: string;
  state: string;
  status: "active" | "done";
  context: FlowContext;
  pending: Pending;
  failedAttempts: number;
  outcome: "success" | "denied" | null;
  result: FlowResult | null;
  createdAt: number;
  expiresAt: number;
}

/**
 * The states a flow can be in (derived from the row by {@link flowState}):
 * - `active`: no proof yet; only a challenge, a first setup or the picker can happen;
 * - `verified`: a proof is held and steps remain (a setup, recovery codes, the passkey offer, managing,
 *   the next challenge of the policy rule's commands);
 * - `complete` and `denied`: finished, final — nothing can change them;
 * - `expired`: past its time (finished flows too), final.
 */
export type FlowState = { kind: "active" } | { kind: "verified"; proof: NonNullable<Pending["verified"]> } | { kind: "complete" } | { kind: "denied"; reason?: EndReason } | { kind: "expired" };

export function flowState(flow: Flow, now: number): FlowState {
  if (flow.expiresAt <= now) return { kind: "expired" };
  if (flow.status === "done") return flow.outcome === "success" ? { kind: "complete" } : { kind: "denied", reason: flow.result?.reason };
  return flow.pending.verified ? { kind: "verified", proof: flow.pending.verified } : { kind: "active" };
}

/** Where the user goes next; the only thing pages and actions branch on. */
export type Step =
  | { kind: "enroll"; factor: FactorId }
  /** `gate`: this challenge proves the verified email before a first setup (policy firstEnrollment). */
  | { kind: "challenge"; factor: FactorId; gate?: true }
  | { kind: "choose" }
  | { kind: "manage" }
  /** New recovery codes to save, or (after one was used) how many remain; `regenerate`: a new set may be issued now. */
  | { kind: "recovery-codes"; regenerate: boolean }
  /** "Sign in faster next time with a passkey". */
  | { kind: "offer-passkey" }
  /** Every requirement is met: the flow can be completed with what was verified. */
  | { kind: "complete" }
  | { kind: "continue" }
  | { kind: "ended"; reason: EndReason };
