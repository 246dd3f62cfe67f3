import "server-only";
import Redis from "ioredis";
import { getTranslations } from "next-intl/server";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createSmtpSender } from "@/lib/delivery/email";
import { createLogSender, createTwilioSender, createWebhookSender } from "@/lib/delivery/sms";
import { renderCodeEmail, renderLinkEmail, smsBody } from "@/lib/delivery/templates";
import type { EmailSender, SmsSender } from "@/lib/delivery/types";
import { negotiateLocale } from "@/lib/i18n/locales";
import { log } from "@/lib/log";
import { DbBudgetStore, RedisBudgetStore, type BudgetStore } from "@/lib/security/budgets";
import { CODE_TTL_MS, type CodeDelivery } from "./code";
import type { LinkDelivery } from "./magic-link";

const g = globalThis as unknown as { keystepEmail?: EmailSender | null; keystepSms?: SmsSender | null; keystepBudgets?: BudgetStore };

function emailSender(): EmailSender | null {
  if (g.keystepEmail === undefined) {
    const c = env().email;
    g.keystepEmail = c ? createSmtpSender({ url: c.smtpUrl, from: c.from }) : null;
  }
  return g.keystepEmail;
}

function smsSender(): SmsSender | null {
  if (g.keystepSms === undefined) {
    const c = env().sms;
    switch (c.provider) {
      case "twilio":
        g.keystepSms = createTwilioSender(c);
        break;
      case "webhook":
        g.keystepSms = createWebhookSender(c);
        break;
      case "log":
        g.keystepSms = createLogSender(log, env().nodeEnv);
        break;
      case "none":
        g.keystepSms = null;
    }
  }
  return g.keystepSms;
}

/** Send budgets live in Redis when REDIS_URL is set, otherwise in the database. */
function budgets(): BudgetStore {
  const url = env().redisUrl;
  g.keystepBudgets ??= url ? new RedisBudgetStore(new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false })) : new DbBudgetStore(db());
  return g.keystepBudgets;
}

/** The production delivery: localised, branded messages over the configured SMTP and SMS providers. */
export function codeDelivery(): CodeDelivery {
  const config = env();
  return {
    budgets: budgets(),
    limits: config.budgets,
    async deliver(channel, destination, code, ctx) {
      const locale = negotiateLocale(ctx.flow.context.claims.locale);
      const minutes = CODE_TTL_MS[channel] / 60_000;
      const app = ctx.flow.context.claims.client_name ?? config.brand.name;
      if (channel === "email") {
        const sender = emailSender();
        if (!sender) return { ok: false, error: "misconfigured", detail: "SMTP_URL is not set" };
        const t = await getTranslations({ locale, namespace: "messages.codeEmail" });
        const mail = renderCodeEmail({
          brand: config.brand,
          code,
          lang: locale,
          strings: { subject: t("subject", { code, brand: config.brand.name }), heading: t("heading"), intro: t("intro", { app }), expiry: t("expiry", { minutes }), ignore: t("ignore"), footer: t("footer", { brand: config.brand.name }) },
        });
        const r = await sender.send({ to: destination, ...mail });
        if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "email delivery failed");
        return r;
      }
      const sender = smsSender();
      if (!sender) return { ok: false, error: "misconfigured", detail: "SMS_PROVIDER is not set" };
      const t = await getTranslations({ locale, namespace: "messages" });
      const body = smsBody({ text: t("sms", { code, brand: config.brand.name, minutes }), host: config.publicUrl.host, code });
      const r = await sender.send({ to: destination, body, locale, flowId: ctx.flow.id });
      if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "sms delivery failed");
      return r;
    },
  };
}

/** Sign-in links by email, with the same budgets store as codes. */
export function linkDelivery(ttlMs: number): LinkDelivery {
  const config = env();
  return {
    budgets: budgets(),
    limits: config.budgets,
    async deliver(to, url, ctx) {
      const sender = emailSender();
      if (!sender) return { ok: false, error: "misconfigured" };
      const locale = negotiateLocale(ctx.flow.context.claims.locale);
      const t = await getTranslations({ locale, namespace: "messages.linkEmail" });
      const app = ctx.flow.context.claims.client_name ?? config.brand.name;
      const mail = renderLinkEmail({
        brand: config.brand,
        url,
        lang: locale,
        strings: { subject: t("subject", { brand: config.brand.name }), heading: t("heading"), intro: t("intro", { app }), button: t("button"), number: t("number"), expiry: t("expiry", { minutes: Math.round(ttlMs / 60_000) }), ignore: t("ignore"), footer: t("footer", { brand: config.brand.name }) },
      });
      const r = await sender.send({ to, ...mail });
      if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "link email delivery failed");
      return r;
    },
  };
}
