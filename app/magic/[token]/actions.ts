"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { failPage } from "@/lib/errors";
import { approveLink, findLink, refuseLink } from "@/lib/factors/magic-link";
import { submitResponse } from "@/lib/flow/attempt";
import { currentFlow } from "@/lib/flow/context";
import { flowCtx, userFactors } from "@/lib/flow/guard";
import { findFlow } from "@/lib/flow/repo";
import { pathAfter } from "@/lib/flow/upgrade";
import { nextStep, stepPath } from "@/lib/flow/next-step";

const input = z.object({ number: z.coerce.number().int().min(10).max(99).optional() });

/**
 * "Confirm sign-in" (a POST; opening the link alone changes nothing). In the browser that owns
 * the flow it finishes the sign-in; on another device it requires the number the waiting tab
 * shows, so a phished link forwarded to a victim cannot approve an attacker's session blindly.
 */
export async function confirmMagicLink(token: unknown, form: unknown): Promise<void> {
  const now = Date.now();
  const found = await findLink(db(), env().secret, String(token ?? ""), now);
  if (!found.ok) failPage(`link_${found.reason}`);
  const { link } = found;
  const mine = await currentFlow();
  const sameBrowser = mine.ok && mine.flow.id === link.flow_id;
  const flow = await findFlow(db(), link.flow_id);
  if (!flow || flow.status !== "active") failPage("link_used");
  const who = { auth0Host: flow.host, sub: flow.sub, flowId: flow.id, factor: "magic-link", ip: flow.context.ip };

  if (!sameBrowser) {
    const picked = input.safeParse(form instanceof FormData ? Object.fromEntries(form) : form);
    if (!picked.success || picked.data.number !== link.number) {
      await refuseLink(db(), link.id, now);
      await audit(db(), { ...who, event: "link.number_mismatch", outcome: "refused" });
      failPage("link_refused");
    }
    if (!(await approveLink(db(), link.id, now))) failPage("link_used");
    await audit(db(), { ...who, event: "link.approved", outcome: "other_device" });
    redirect("/magic/approved");
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
}
