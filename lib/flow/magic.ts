import "server-only";
import { audit } from "@/lib/audit";
import { challengeDestination } from "@/lib/factors/channel";
import type { SendResult } from "@/lib/factors/code";
import { linkDelivery } from "@/lib/factors/delivery";
import { sendMagicLink } from "@/lib/factors/magic-link";
import type { FactorCtx } from "@/lib/factors/types";

/** Sends the flow a sign-in link at the token's verified email, with audit. */
export async function sendFlowLink(ctx: FactorCtx): Promise<SendResult> {
  const to = await challengeDestination(ctx, "email");
  if (!to) return { ok: false, error: "delivery_failed" };
  const r = await sendMagicLink(ctx, linkDelivery(ctx.env.magicLinkTtlSeconds * 1000), to, ctx.env.magicLinkTtlSeconds * 1000);
  await audit(ctx.db, { event: r.ok ? "link.sent" : "link.not_sent", auth0Host: ctx.flow.host, sub: ctx.flow.sub, flowId: ctx.flow.id, factor: "magic-link", outcome: r.ok ? "sent" : r.error, ip: ctx.flow.context.ip, userAgent: ctx.flow.context.userAgent });
  return r;
}

/** "Chrome on macOS" from a user agent, for the confirm page's "is this you?" details. */
export function describeDevice(ua: string | null): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : null;
  return browser && os ? `${browser} on ${os}` : (browser ?? os);
}
