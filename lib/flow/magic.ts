import { audit, auditWho } from "@/lib/audit";
import { challengeDestination } from "@/lib/factors/channel";
import type { SendResult } from "@/lib/factors/code";
import { linkDelivery } from "@/lib/delivery/wiring";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { decideLink, sendMagicLink, type MagicLink } from "@/lib/factors/magic-link/factor";
import type { FactorCtx } from "@/lib/factors/types";
import { countFailure } from "./transition";
import type { Flow } from "./types";

/** Sends the flow a sign-in link at the token's verified email, with audit. */
export async function sendFlowLink(ctx: FactorCtx): Promise<SendResult> {
  const to = await challengeDestination(ctx, "email");
  if (!to) return { ok: false, error: "delivery_failed" };
  const r = await sendMagicLink(ctx, linkDelivery(ctx.env.magicLinkTtlSeconds * 1000), to, ctx.env.magicLinkTtlSeconds * 1000);
  await audit(ctx.db, { event: r.ok ? "link.sent" : "link.not_sent", ...auditWho(ctx.flow, "magic-link"), outcome: r.ok ? "sent" : r.error });
  return r;
}

/**
 * Another device approves a link by typing the number the waiting tab shows (100–999: a guess is
 * 1 in 900). The link is decided once: the right number approves it; anything else refuses it
 * and counts as a failure on the flow, which ends (denied, audited) at MAX_FLOW_FAILURES, as
 * wrong codes do. `gone`: the link was already decided, used, replaced or expired, so this entry
 * was not weighed at all.
 */
export async function approveFromOtherDevice(db: Kysely<Database>, flow: Flow, link: MagicLink, typed: unknown, now: number): Promise<"approved" | "refused" | "flow_ended" | "gone"> {
  const digits = typeof typed === "string" ? typed.replace(/\s/g, "") : "";
  const matched = /^\d{3}$/.test(digits) && Number(digits) === Number(link.number);
  const who = auditWho(flow, "magic-link");
  if (!(await decideLink(db, link.id, matched, now))) return "gone";
  if (matched) {
    await audit(db, { ...who, event: "link.approved", outcome: "other_device" });
    return "approved";
  }
  const { ended } = await countFailure(db, flow, who, { event: "link.number_mismatch", outcome: "refused" }, now);
  return ended ? "flow_ended" : "refused";
}

/** "Chrome on macOS" from a user agent, for the confirm page's "is this you?" details. */
export function describeDevice(ua: string | null): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : null;
  return browser && os ? `${browser} on ${os}` : (browser ?? os);
}
