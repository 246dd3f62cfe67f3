"use server";

import { redirect } from "next/navigation";
import { reactAction } from "@/lib/flow/guard";
import { cancelByToken } from "@/lib/recovery/requests";
import { recoveryDeps } from "@/lib/recovery/wiring";

/** The cancel button's POST: closes the request if it is still open, then shows the outcome (a GET). */
export const cancelRecoveryRequest = reactAction(async function cancelRecoveryRequest(token: unknown): Promise<void> {
  const value = String(token ?? "");
  await cancelByToken(recoveryDeps(), value, Date.now());
  redirect(`/recovery/cancel/${encodeURIComponent(value)}?done=1`);
});
