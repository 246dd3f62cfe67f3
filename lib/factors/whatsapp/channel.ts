import { ctxLocale, translatorFor } from "@/lib/i18n/translator";
import { createLogSender, createTwilioSender, createWebhookSender } from "@/lib/delivery/sms";
import { smsBody } from "@/lib/delivery/templates";
import { emailBrand, once } from "@/lib/delivery/wiring";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { channelFactor, type Channel } from "../channel";
import { CODE_TTL_MS } from "../code";

/** The sender WHATSAPP_PROVIDER names: Twilio from the WhatsApp sender number, or the signed webhook with `channel: "whatsapp"`. */
const sender = () =>
  once("whatsapp", () => {
    const c = env().whatsapp;
    switch (c.provider) {
      case "twilio":
        return createTwilioSender({ ...c, channel: "whatsapp" });
      case "webhook":
        return createWebhookSender({ ...c, channel: "whatsapp" });
      case "log":
        return createLogSender(log, env().nodeEnv);
      case "none":
        return null;
    }
  });

/** WhatsApp codes: the text of an SMS code, with the same origin-bound last line. */
export const channel: Channel = {
  id: "whatsapp",
  async send(ctx, destination, code) {
    const s = sender();
    if (!s) return { ok: false, error: "misconfigured", detail: "WHATSAPP_PROVIDER is not set" };
    const locale = ctxLocale(ctx);
    const t = await translatorFor(locale, "messages");
    const body = smsBody({ text: t("whatsapp", { code, brand: emailBrand(ctx).name, minutes: CODE_TTL_MS.whatsapp / 60_000 }), host: ctx.env.publicUrl.host, code });
    const r = await s.send({ to: destination, body, locale, flowId: ctx.flow.id });
    if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "whatsapp delivery failed");
    return r;
  },
};

export const factor = channelFactor("whatsapp");
