"use server";

import { redirect } from "next/navigation";
import { audit, auditWho } from "@/lib/audit";
import { endFlow } from "@/lib/flow/transition";
import { requireFlowForAction } from "@/lib/flow/guard";
import { notifyUser } from "@/lib/delivery/wiring";
import { recordWasntMe } from "@/lib/users/signals";

/** Ends the flow as `denied` and hands back to Auth0, which sends the app `access_denied`. */
export async function cancelSignIn(_form?: unknown): Promise<void> {
  const { db, flow } = await requireFlowForAction();
  if (await endFlow(db, flow, "cancelled")) {
    await audit(db, { event: "flow.cancelled", ...auditWho(flow), outcome: "denied" });
  }
  redirect("/continue");
}

/**
 * "This wasn't me": the user did not start this sign-in, so someone has their password. The flow
 * ends as denied, the report is audited and counted (rules can read the count), and the user's
 * known address gets an email telling them to change their password.
 */
export async function reportNotMe(_form?: unknown): Promise<void> {
  const ctx = await requireFlowForAction();
  const { db, flow } = ctx;
  if (await endFlow(db, flow, "reported")) {
    await recordWasntMe(db, flow);
    await audit(db, { event: "flow.reported", ...auditWho(flow), outcome: "denied" });
    await notifyUser(ctx, "notMe");
  }
  redirect("/ended");
}
