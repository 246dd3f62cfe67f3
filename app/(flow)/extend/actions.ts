"use server";

import { extendFlow } from "@/lib/flow/repo";
import { requireFlowForAction } from "@/lib/flow/guard";

/** "Keep me signed in": extends the flow's time limit. */
export async function extendSignIn(_prev: unknown): Promise<{ expiresAt?: number }> {
  const ctx = await requireFlowForAction();
  const expiresAt = await extendFlow(ctx.db, ctx.flow, ctx.env.flowTtlSeconds, undefined, ctx.now);
  return { expiresAt: expiresAt ?? ctx.flow.expiresAt };
}
