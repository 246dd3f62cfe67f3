import { revokeAtAuth0 } from "@/lib/auth0/revoke";
import { db } from "@/lib/db";
import { budgets, emailSender, smsSender } from "@/lib/delivery/wiring";
import { renderNoticeEmail } from "@/lib/delivery/notice";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { env, type Env } from "@/lib/env";
import { listActive } from "@/lib/factors/authenticators";
import { isLocale, DEFAULT_LOCALE } from "@/lib/i18n/locales";
import { translatorFor } from "@/lib/i18n/translator";
import { log } from "@/lib/log";
import { formatReadyAt } from "./format";
import type { RecoveryDeps, RecoveryNotice } from "./requests";

/**
 * Tells every channel the user has: the request's email, and each phone they enrolled by SMS.
 * Best effort: a failed send is logged, never thrown (the request stands either way, and the
 * sign-in page tells the user too).
 */
export async function notify(n: RecoveryNotice): Promise<void> {
  const locale = n.locale && isLocale(n.locale) ? n.locale : DEFAULT_LOCALE;
  try {
    const config = env();
    const t = await translatorFor(locale, `selfRecovery.notices.${n.kind}`);
    const common = await translatorFor(locale, "selfRecovery.notices");
    const brand = { name: config.brand.name, color: config.brand.color, logoUrl: config.brand.logoUrl ? new URL(config.brand.logoUrl, config.publicUrl).toString() : null };
    const when = formatReadyAt(n.readyAt, locale);
    const linkLine = n.link ? `\n\n${n.kind === "completed" ? common("restoreLine") : common("cancelLine")}\n${n.link}` : "";
    const body = `${t("body", { date: when })}${linkLine}`;
    const sender = emailSender();
    if (sender && config.email) {
      const mail = renderNoticeEmail({ brand, lang: locale, strings: { subject: t("subject", { brand: brand.name }), heading: t("heading"), body, footer: common("footer", { brand: brand.name }) } });
      const r = await sender.send({ to: n.email, ...mail });
      if (!r.ok) log.warn({ error: r.error, kind: n.kind }, "recovery notice email failed");
    }
    const sms = smsSender();
    if (sms) {
      for (const phone of await listActive(db(), n.user, "phone")) {
        if (!phone.destination) continue;
        const r = await sms.send({ to: phone.destination, body: `${t("sms", { brand: brand.name, date: when })}${n.link ? ` ${n.link}` : ""}`, locale, flowId: "recovery" });
        if (!r.ok) log.warn({ error: r.error, kind: n.kind }, "recovery notice SMS failed");
      }
    }
  } catch (err) {
    log.warn({ err, kind: n.kind }, "recovery notice failed");
  }
}

/** The production dependencies of lib/recovery/requests.ts; a flow's database and settings when given. */
export function recoveryDeps(given?: { db: Kysely<Database>; env: Env }): RecoveryDeps {
  const database = given?.db ?? db();
  const config = given?.env ?? env();
  return {
    db: database,
    keys: config.keys,
    publicUrl: config.publicUrl.toString(),
    get budgets() {
      return budgets();
    },
    notify,
    revoke: (user, cause, now) => revokeAtAuth0(database, config, user, cause, { now }),
  };
}
