import { activeChallenge } from "@/lib/factors/code";
import { liveLink } from "@/lib/factors/magic-link/factor";
import { isChannelId } from "@/lib/factors/registry";
import type { FactorCtx } from "@/lib/factors/types";
import { sendFlowCode } from "./channel-send";
import { sendFlowLink } from "./magic";
import type { Step } from "./types";

/**
 * What a step needs before its screen shows: a challenge by a channel gets its code, a sign-in
 * link challenge its link, unless a live one is waiting. Called by what leads to a step (the
 * entry, the picker's POST, a finished attempt), never while a screen renders: a GET has no side
 * effects, so a prefetch or a reload never sends anything. A send that fails leaves the screen
 * without a live code, and it offers "Send a new code", which says why.
 */
export async function arriveAt(ctx: FactorCtx, step: Step): Promise<void> {
  if (step.kind !== "challenge") return;
  if (isChannelId(step.factor)) {
    const live = await activeChallenge(ctx.db, ctx.flow.id, step.factor, ctx.now);
    if (!live || live.purpose !== "challenge") await sendFlowCode(ctx, step.factor, "challenge");
  } else if (step.factor === "magic-link" && !(await liveLink(ctx.db, ctx.flow.id, ctx.now))) {
    await sendFlowLink(ctx);
  }
}
