import type { SessionClaims } from "@/lib/auth0/inbound";
import type { FactorId } from "@/lib/factors/ids";

/** What Keystep learnt at entry; fixed for the flow's life. */
export interface FlowContext {
  claims: SessionClaims;
  ip: string | null;
  userAgent: string | null;
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
}

export interface FlowResult {
  amr: string[];
  enrolled: string[];
  reason?: EndReason;
}

/** Why a flow ended without success; each maps to a message in the `ended` namespace. */
export type EndReason = "cancelled" | "too_many_attempts";

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
  | { kind: "challenge"; factor: FactorId }
  | { kind: "choose" }
  | { kind: "continue" }
  | { kind: "ended"; reason: EndReason };
