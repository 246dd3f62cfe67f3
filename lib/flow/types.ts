import type { SessionClaims } from "@/lib/auth0/inbound";
import type { FactorId } from "@/lib/factors/ids";

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

/** The policy decision taken at entry (lib/policy/evaluate.ts), kept with the flow. */
export interface FlowPolicy {
  outcome: "ALLOW" | "CHALLENGE" | "DENY";
  rule: string | null;
  /** What "Why am I asked?" says; null shows nothing. */
  reason: string | null;
  factors: FactorRules;
  /** Show "Don't ask again on this device for N days". */
  canRemember: boolean;
  rememberDays: number;
  /** "verify-email": a user with no factor proves their verified email before the first setup. */
  firstEnrollment: "verify-email" | "none";
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
}

/**
 * Mutable per-flow state: the authenticator-app key being enrolled (sealed with the flow id as
 * AAD) and the method the user picked on /choose.
 */
export interface Pending {
  otp?: { sealedSecret: string; startedAt: number };
  choice?: { factor: FactorId; mode: "enroll" | "challenge" };
  /** The outstanding WebAuthn challenge: single use, expires in 5 minutes. */
  webauthn?: { challenge: string; purpose: "setup" | "challenge"; factor: FactorId; expiresAt: number };
  /** Freshly issued recovery codes, sealed with the flow id as AAD, until the user confirms saving them. */
  recoveryCodes?: string;
  /**
   * A challenge passed while the flow still has steps to go (setup the policy forces, the
   * first-enrollment email check, or self-service management): its `amr` joins the result.
   */
  verified?: { factor: FactorId; amr: string[]; at: number };
}

export interface FlowResult {
  amr: string[];
  enrolled: string[];
  reason?: EndReason;
  /** Set when policy let the user through without a challenge (the matched rule's name). */
  skipped?: string;
}

/** Why a flow ended without success; each maps to a message in the `ended` namespace. */
export type EndReason = "cancelled" | "too_many_attempts" | "policy_denied" | "no_allowed_factor" | "reported";

export interface Flow {
  id: string;
  host: string;
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

/** Where the user goes next; the only thing pages branch on. */
export type Step =
  | { kind: "enroll"; factor: FactorId }
  /** `gate`: this challenge proves the verified email before a first setup (policy firstEnrollment). */
  | { kind: "challenge"; factor: FactorId; gate?: true }
  | { kind: "choose" }
  | { kind: "manage" }
  /** Every requirement is met: the flow can be completed with what was verified. */
  | { kind: "complete" }
  | { kind: "continue" }
  | { kind: "ended"; reason: EndReason };
