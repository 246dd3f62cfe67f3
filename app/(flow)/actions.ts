"use server";

import { redirect } from "next/navigation";
import { audit } from "@/lib/audit";
import { completeFlow } from "@/lib/flow/repo";
import { requireFlowForAction } from "@/lib/flow/guard";

/** Ends the flow as `denied` and hands back to Auth0, which sends the app `access_denied`. */
export async function cancelSignIn(_form?: unknown): Promise<void> {
  const { db, flow } = await requireFlowForAction();
  if (await completeFlow(db, flow.id, "denied", { amr: [], enrolled: [], reason: "cancelled" })) {
    await audit(db, { event: "flow.cancelled", auth0Host: flow.host, sub: flow.sub, flowId: flow.id, outcome: "denied", ip: flow.context.ip, userAgent: flow.context.userAgent });
  }
  redirect("/continue");
}
