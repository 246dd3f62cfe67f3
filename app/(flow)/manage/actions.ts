"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { requireFlowForAction } from "@/lib/flow/guard";
import { canManage, forgetDevices, removeAuthenticator, renameAuthenticator } from "@/lib/flow/manage";
import { completeFlow } from "@/lib/flow/repo";
import { audit } from "@/lib/audit";
import { rememberDevice } from "@/lib/flow/attempt";
import type { FactorCtx } from "@/lib/factors/types";

const idInput = z.object({ id: z.string().min(1).max(64) });

async function managing(): Promise<FactorCtx> {
  const ctx = await requireFlowForAction();
  if (!canManage(ctx)) redirect("/");
  return ctx;
}

const fields = (form: unknown) => (form instanceof FormData ? Object.fromEntries(form) : {});

export async function renameFactor(form: unknown): Promise<void> {
  const ctx = await managing();
  const parsed = idInput.extend({ name: z.string().max(500) }).safeParse(fields(form));
  const result = parsed.success ? await renameAuthenticator(ctx, parsed.data.id, parsed.data.name) : "name_invalid";
  redirect(`/manage?result=${result}`);
}

export async function removeFactor(form: unknown): Promise<void> {
  const ctx = await managing();
  const parsed = idInput.safeParse(fields(form));
  redirect(`/manage?result=${parsed.success ? await removeAuthenticator(ctx, parsed.data.id) : "not_found"}`);
}

export async function forgetAllDevices(): Promise<void> {
  const ctx = await managing();
  redirect(`/manage?result=${await forgetDevices(ctx)}`);
}

/** "Done": the flow succeeds with what the fresh challenge proved, and the user returns to the app. */
export async function finishManaging(): Promise<void> {
  const ctx = await managing();
  const verified = ctx.flow.pending.verified!;
  if (await completeFlow(ctx.db, ctx.flow.id, "success", { amr: verified.amr, enrolled: [] }, ctx.now)) {
    await rememberDevice(ctx, {});
    await audit(ctx.db, { event: "manage.done", auth0Host: ctx.flow.host, sub: ctx.flow.sub, flowId: ctx.flow.id, outcome: "success", ip: ctx.flow.context.ip, userAgent: ctx.flow.context.userAgent });
  }
  redirect("/continue");
}
