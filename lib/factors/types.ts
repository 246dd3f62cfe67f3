import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { Env } from "@/lib/env";
import type { Flow } from "@/lib/flow/types";
import type { FactorId } from "./ids";

export interface FactorCtx {
  db: Kysely<Database>;
  env: Env;
  flow: Flow;
  now: number;
}

/** Expected failures are values, not exceptions; each code maps to a message key. */
export type CheckError = "code_invalid" | "code_reused" | "code_expired" | "setup_expired";
export type CheckResult = { ok: true } | { ok: false; error: CheckError };

/** The one interface every factor implements; the registry composes them. */
export interface Factor<SetupView> {
  id: FactorId;
  /** Starts (or resumes) enrollment and returns what the setup screen shows. */
  beginSetup(ctx: FactorCtx): Promise<SetupView>;
  /** Proves possession of the new authenticator and only then saves it. */
  finishSetup(ctx: FactorCtx, code: string): Promise<CheckResult>;
  /** Checks a challenge response against the user's enrolled authenticators. */
  verify(ctx: FactorCtx, code: string): Promise<CheckResult>;
}
