"use server";

import { redirect } from "next/navigation";
import { audit } from "@/lib/audit";
import { endFlow } from "@/lib/flow/transition";
import { requireFlowForAction } from "@/lib/flow/guard";
import { notifyUser } from "@/lib/delivery/wiring";

/** Ends the flow as `denied` and hands back to Auth0, which sends the app `access_denied`. */
export async function cancelSignIn(_form?: unknown): Promise<void> {
  const { db, flow } = await requireFlowForAction();
  if (await endFlow(db, flow, "cancelled")) {
    await audit(db, { event: "flow.cancelled", auth0Host: flow.host, sub: flow.sub, flowId: flow.id, outcome: "denied", ip: flow.context.ip, userAgent: flow.context.userAgent });
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
    const now = Date.now();
    await db
      .insertInto("user_signals")
      .values({ auth0_host: flow.host, sub: flow.sub, wasnt_me_count: 1, last_wasnt_me_at: now })
      .onConflict((oc) => oc.columns(["auth0_host", "sub"]).doUpdateSet((eb) => ({ wasnt_me_count: eb("user_signals.wasnt_me_count", "+", 1), last_wasnt_me_at: now })))
      .execute();
    await audit(db, { event: "flow.reported", auth0Host: flow.host, sub: flow.sub, flowId: flow.id, outcome: "denied", ip: flow.context.ip, userAgent: flow.context.userAgent });
    await notifyUser(ctx, "notMe");
  }
  redirect("/ended");
}
