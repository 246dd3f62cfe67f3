import { ctxLocale, translatorFor } from "@/lib/i18n/translator";
import { emailBrand, emailSender } from "@/lib/delivery/wiring";
import { renderCodeEmail } from "@/lib/delivery/templates";
import { log } from "@/lib/log";
import { channelFactor, type Channel } from "../channel";
import { CODE_TTL_MS } from "../code";

/** Email codes: a branded, localised email over SMTP. */
export const channel: Channel = {
  id: "email",
  async send(ctx, destination, code) {
    const sender = emailSender();
    if (!sender) return { ok: false, error: "misconfigured", detail: "SMTP_URL is not set" };
    const locale = ctxLocale(ctx);
    const t = await translatorFor(locale, "messages.codeEmail");
    const brand = emailBrand(ctx);
    const app = ctx.flow.context.claims.client_name ?? brand.name;
    const mail = renderCodeEmail({
      brand,
      code,
      lang: locale,
      strings: {
        subject: t("subject", { code, brand: brand.name }),
        heading: t("heading"),
        intro: t("intro", { app }),
        expiry: t("expiry", { minutes: CODE_TTL_MS.email / 60_000 }),
        ignore: t("ignore"),
        footer: t("footer", { brand: brand.name }),
      },
    });
    const r = await sender.send({ to: destination, ...mail });
    if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "email delivery failed");
    return r;
  },
};

export const factor = channelFactor("email");
