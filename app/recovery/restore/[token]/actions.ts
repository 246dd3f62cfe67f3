"use server";

import { redirect } from "next/navigation";
import { reactAction } from "@/lib/flow/guard";
import { restoreFactors } from "@/lib/recovery/requests";
import { recoveryDeps } from "@/lib/recovery/wiring";

/** The restore button's POST: re-enables the old factors once, within the grace period. */
export const restoreOldFactors = reactAction(async function restoreOldFactors(token: unknown): Promise<void> {
  const value = String(token ?? "");
  const r = await restoreFactors(recoveryDeps(), value, Date.now());
  redirect(r.ok ? `/recovery/restore/${encodeURIComponent(value)}?done=1` : `/recovery/restore/${encodeURIComponent(value)}`);
});
