import type { DeliveryResult, SmsSender } from "@/lib/delivery/types";
import { smsBody } from "@/lib/delivery/templates";
import { emailBrand } from "@/lib/delivery/wiring";
import { ctxLocale, translatorFor } from "@/lib/i18n/translator";
import { log } from "@/lib/log";
import { CODE_TTL_MS } from "./code";
import type { ChannelId } from "./registry";
import type { FactorCtx } from "./types";

/**
 * A code by text message (SMS, WhatsApp): the localised text (`messages.<key>`), ending with the
 * origin-bound line the phone's autofill reads, through the channel's sender.
 */
export async function sendTextCode(ctx: FactorCtx, channel: ChannelId, sender: SmsSender | null, missing: string, destination: string, code: string): Promise<DeliveryResult> {
  if (!sender) return { ok: false, error: "misconfigured", detail: `${missing} is not set` };
  const locale = ctxLocale(ctx);
  const t = await translatorFor(locale, "messages");
  const key = channel === "phone" ? "sms" : channel;
  const body = smsBody({ text: t(key, { code, brand: emailBrand(ctx).name, minutes: CODE_TTL_MS[channel] / 60_000 }), host: ctx.env.publicUrl.host, code });
  const r = await sender.send({ to: destination, body, locale, flowId: ctx.flow.id });
  if (!r.ok) log.warn({ error: r.error, detail: r.detail, channel }, "text message delivery failed");
  return r;
}
