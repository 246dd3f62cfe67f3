"use server";

import { reactAction } from "@/lib/flow/guard";
import { redirect } from "next/navigation";
import { audit, auditWho } from "@/lib/audit";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { failPage } from "@/lib/errors";
import { approveLink, findLink } from "@/lib/factors/magic-link/factor";
import { submitResponse } from "@/lib/flow/attempt";
import { currentFlow } from "@/lib/flow/context";
import { flowCtx, userFactors } from "@/lib/flow/user-factors";
import { approveFromOtherDevice } from "@/lib/flow/magic";
import { findFlow } from "@/lib/flow/repo";
import { pathAfter } from "@/lib/flow/upgrade";
import { nextStep, stepPath } from "@/lib/flow/next-step";

/**
 * "Confirm sign-in" (a POST; opening the link alone changes nothing). In the browser that owns
 * the flow it finishes the sign-in; on another device it requires the number the waiting tab
 * shows, typed (1 in 900 to guess), so a password holder's link clicked by the victim cannot
 * approve the attacker's session blindly. A wrong number ends the link and counts on the flow.
 */
export const confirmMagicLink = reactAction(async function confirmMagicLink(token: unknown, form: unknown): Promise<void> {
  const now = Date.now();
  const found = await findLink(db(), env().keys, String(token ?? ""), now);
  if (!found.ok) failPage(`link_${found.reason}`);
  const { link } = found;
  const mine = await currentFlow();
  const sameBrowser = mine.ok && mine.flow.id === link.flow_id;
  const flow = await findFlow(db(), link.flow_id);
  if (!flow || flow.status !== "active") failPage("link_used");
  const who = auditWho(flow, "magic-link");

  if (!sameBrowser) {
    const typed = form instanceof FormData ? form.get("number") : null;
    const decided = await approveFromOtherDevice(db(), flow, link, typeof typed === "string" ? typed : null, now);
    if (decided === "approved") redirect("/magic/approved");
    failPage(decided === "gone" ? "link_used" : "link_refused");
  }

  // Same browser: the link proves the flow only while its step is the sign-in-link challenge;
  // anywhere else the user goes where nextStep says, and the link stays unused.
  const step = nextStep(flow, await userFactors(flow));
  if (step.kind !== "challenge" || step.factor !== "magic-link") redirect(stepPath(step));
  if (!(await approveLink(db(), link.id, now))) failPage("link_used");
  await audit(db(), { ...who, event: "link.approved", outcome: "same_browser" });
  const ctx = flowCtx(flow);
  const r = await submitResponse(ctx, "magic-link", "challenge", "");
  if (!r.ok) redirect(r.error === "flow_ended" ? "/ended" : "/magic-link");
  redirect(await pathAfter(ctx, r));
});
