import { ctxLocale, translatorFor } from "@/lib/i18n/translator";
import { smsBody } from "@/lib/delivery/templates";
import { emailBrand, smsSender } from "@/lib/delivery/wiring";
import { log } from "@/lib/log";
import { channelFactor, type Channel } from "../channel";
import { CODE_TTL_MS } from "../code";

/** SMS codes through SMS_PROVIDER (Twilio, the signed webhook, or the development log). */
export const channel: Channel = {
  id: "phone",
  async send(ctx, destination, code) {
    const sender = smsSender();
    if (!sender) return { ok: false, error: "misconfigured", detail: "SMS_PROVIDER is not set" };
    const locale = ctxLocale(ctx);
    const t = await translatorFor(locale, "messages");
    const body = smsBody({ text: t("sms", { code, brand: emailBrand(ctx).name, minutes: CODE_TTL_MS.phone / 60_000 }), host: ctx.env.publicUrl.host, code });
    const r = await sender.send({ to: destination, body, locale, flowId: ctx.flow.id });
    if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "sms delivery failed");
    return r;
  },
};

export const factor = channelFactor("phone");
