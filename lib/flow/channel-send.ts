import type { Translate } from "@/lib/i18n/translate";
import { audit, auditWho } from "@/lib/audit";
import { budgets } from "@/lib/delivery/wiring";
import { env } from "@/lib/env";
import { challengeDestination } from "@/lib/factors/channel";
import { sendCode, type CodeDelivery, type SendResult } from "@/lib/factors/code";
import { channel as loadChannel } from "@/lib/factors/impl";
import { DESCRIPTORS, type ChannelId } from "@/lib/factors/registry";
import { phoneCountry } from "@/lib/factors/send";
import type { FactorCtx } from "@/lib/factors/types";

/** The production delivery: the channel's own sender and message, with the deployment's budgets. */
export function codeDelivery(): CodeDelivery {
  return { budgets: budgets(), limits: env().budgets, deliver: async (id, destination, code, ctx) => (await loadChannel(id)).send(ctx, destination, code) };
}

/** Sends a code for the flow's challenge or setup, with audit; returns the outcome. */
export async function sendFlowCode(ctx: FactorCtx, channel: ChannelId, purpose: "enroll" | "challenge", destination?: string): Promise<SendResult> {
  const to = destination ?? (await challengeDestination(ctx, channel));
  if (!to) return { ok: false, error: "delivery_failed" };
  const r = await sendCode(ctx, codeDelivery(), channel, purpose, to);
  // The number's country, for the console's SMS volume and cost per country (docs/console.md).
  const spec = DESCRIPTORS.find((f) => f.id === channel);
  const toPhone = spec !== undefined && "channel" in spec && spec.channel?.destination === "phone";
  await audit(ctx.db, { event: r.ok ? "code.sent" : "code.not_sent", ...auditWho(ctx.flow, channel), outcome: r.ok ? "sent" : r.error, ...(toPhone ? { detail: { country: phoneCountry(to) } } : {}) });
  return r;
}

/** The localised message for a failed send; `t` is the `common.errors` namespace. */
export function sendErrorMessage(r: Extract<SendResult, { ok: false }>, t: Translate): string {
  switch (r.error) {
    case "cooldown":
      return t("cooldown", { seconds: Math.ceil((r.retryAfterMs ?? 30_000) / 1000) });
    case "budget_exhausted":
      return t("budget_exhausted", { minutes: Math.ceil((r.retryAfterMs ?? 60_000) / 60_000) });
    default:
      return t(r.error);
  }
}
