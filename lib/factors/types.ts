import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { Env } from "@/lib/env";
import type { Flow } from "@/lib/flow/types";
import type { FactorId } from "./registry";

export interface FactorCtx {
  db: Kysely<Database>;
  env: Env;
  flow: Flow;
  now: number;
  /** The language of the request's screen, for what the flow sends (lib/i18n/translator.ts ctxLocale). */
  locale?: string;
}

/** Expected failures are values, not exceptions; each code maps to a message key. */
export type CheckError = "code_invalid" | "code_reused" | "code_expired" | "setup_expired" | "webauthn_invalid" | "link_pending";
/** `amr` overrides the factor name in the result (e.g. adds "uv" when WebAuthn verified the user). */
/** `disabled`: this failure disabled an authenticator (the consecutive-failure cap), so the user is told. */
export type CheckResult = { ok: true; amr?: string[] } | { ok: false; error: CheckError; disabled?: true };

/** The one interface every factor implements; the registry composes them. */
export interface Factor<EnrollView, ChallengeView = unknown> {
  id: FactorId;
  /** Starts (or resumes) enrollment and returns what the setup screen shows. Absent: never set up on its own. */
  beginEnroll?(ctx: FactorCtx): Promise<EnrollView>;
  /** Proves possession of the new authenticator and only then saves it. */
  finishEnroll?(ctx: FactorCtx, code: string): Promise<CheckResult>;
  /** Checks a challenge response against the user's enrolled authenticators. */
  verify(ctx: FactorCtx, code: string): Promise<CheckResult>;
  /** Runs after a successful challenge (e.g. telling the user a recovery code was used). Never throws. */
  onSuccess?(ctx: FactorCtx): Promise<void>;
  /** Prepares a challenge where the factor needs one (WebAuthn request options). */
  beginChallenge?(ctx: FactorCtx): Promise<ChallengeView>;
}

/** A factor that is set up on its own (not magic links or recovery codes). */
export type EnrollFactor<EnrollView, ChallengeView = unknown> = Factor<EnrollView, ChallengeView> & Required<Pick<Factor<EnrollView, ChallengeView>, "beginEnroll" | "finishEnroll">>;
