import type { UserFactors } from "@/lib/flow/next-step";
import type { Flow } from "@/lib/flow/types";

/**
 * Whether a challenge screen offers "I can't use any of my methods" (pages/recovery.tsx): always
 * before a proof, to a user who holds a factor, unless the policy rule turns self-service off.
 */
export function offersRecovery(flow: Flow, f: UserFactors): boolean {
  if (flow.context.policy?.recovery?.selfService === false || flow.context.claims.intent === "manage" || flow.pending.verified) return false;
  return f.enrolled.length > 0 || (f.disabled?.length ?? 0) > 0;
}
