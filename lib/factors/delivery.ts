import "server-only";
import Redis from "ioredis";
import { getLocale, getTranslations } from "next-intl/server";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { brandingFor } from "@/lib/config";
import { createSmtpSender } from "@/lib/delivery/email";
import { createLogSender, createTwilioSender, createWebhookSender } from "@/lib/delivery/sms";
import { renderNoticeEmail } from "@/lib/delivery/notice";
import { renderCodeEmail, renderLinkEmail, smsBody } from "@/lib/delivery/templates";
import type { EmailSender, SmsSender } from "@/lib/delivery/types";
import { log } from "@/lib/log";
import { DbBudgetStore, RedisBudgetStore, type BudgetStore } from "@/lib/security/budgets";
import { CODE_TTL_MS, type CodeDelivery } from "./code";
import type { LinkDelivery } from "./magic-link";
import type { FactorCtx } from "./types";

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
      const locale = await getLocale();
      const minutes = CODE_TTL_MS[channel] / 60_000;
      const app = ctx.flow.context.claims.client_name ?? emailBrand(ctx).name;
      if (channel === "email") {
        const sender = emailSender();
        if (!sender) return { ok: false, error: "misconfigured", detail: "SMTP_URL is not set" };
        const t = await getTranslations({ locale, namespace: "messages.codeEmail" });
        const mail = renderCodeEmail({
          brand: emailBrand(ctx),
          code,
          lang: locale,
          strings: { subject: t("subject", { code, brand: emailBrand(ctx).name }), heading: t("heading"), intro: t("intro", { app }), expiry: t("expiry", { minutes }), ignore: t("ignore"), footer: t("footer", { brand: emailBrand(ctx).name }) },
        });
        const r = await sender.send({ to: destination, ...mail });
        if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "email delivery failed");
        return r;
      }
      const sender = smsSender();
      if (!sender) return { ok: false, error: "misconfigured", detail: "SMS_PROVIDER is not set" };
      const t = await getTranslations({ locale, namespace: "messages" });
      const body = smsBody({ text: t("sms", { code, brand: emailBrand(ctx).name, minutes }), host: config.publicUrl.host, code });
      const r = await sender.send({ to: destination, body, locale, flowId: ctx.flow.id });
      if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "sms delivery failed");
      return r;
    },
  };
}

/** The brand for messages: the environment's, then the application's branding from keystep.config.json. */
function emailBrand(ctx: FactorCtx) {
  const b = brandingFor(ctx.flow.context.claims.client_id);
  // Either may be a path on Keystep's origin; an email needs the absolute URL.
  const configured = b.logoUrl ?? ctx.env.brand.logoUrl;
  const logo = configured ? new URL(configured, ctx.env.publicUrl).toString() : null;
  return { name: b.name ?? ctx.env.brand.name, color: b.colors?.primary ?? ctx.env.brand.color, logoUrl: logo };
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
      const locale = await getLocale();
      const t = await getTranslations({ locale, namespace: "messages.linkEmail" });
      const app = ctx.flow.context.claims.client_name ?? emailBrand(ctx).name;
      const mail = renderLinkEmail({
        brand: emailBrand(ctx),
        url,
        lang: locale,
        strings: { subject: t("subject", { brand: emailBrand(ctx).name }), heading: t("heading"), intro: t("intro", { app }), button: t("button"), number: t("number"), expiry: t("expiry", { minutes: Math.round(ttlMs / 60_000) }), ignore: t("ignore"), footer: t("footer", { brand: emailBrand(ctx).name }) },
      });
      const r = await sender.send({ to, ...mail });
      if (!r.ok) log.warn({ error: r.error, detail: r.detail }, "link email delivery failed");
      return r;
    },
  };
}

export type NoticeKey = "recoveryUsed" | "recoveryIssued" | "factorAdded" | "factorRemoved" | "factorDisabled" | "lockedOut" | "notMe";

/** Emails the user a security notice (e.g. a recovery code was used). Best effort, never throws. */
export async function notifyUser(ctx: FactorCtx, key: NoticeKey): Promise<void> {
  const config = ctx.env;
  const to = ctx.flow.context.claims.email;
  if (!to || !config.email) return;
  try {
    const sender = emailSender();
    if (!sender) return;
    const locale = await getLocale();
    const t = await getTranslations({ locale, namespace: `messages.${key}` });
    const app = ctx.flow.context.claims.client_name ?? emailBrand(ctx).name;
    const mail = renderNoticeEmail({ brand: emailBrand(ctx), lang: locale, strings: { subject: t("subject", { brand: emailBrand(ctx).name }), heading: t("heading"), body: t("body", { app }), footer: t("footer", { brand: emailBrand(ctx).name }) } });
    const r = await sender.send({ to, ...mail });
    if (!r.ok) log.warn({ error: r.error }, "notice email failed");
  } catch (err) {
    log.warn({ err }, "notice email failed");
  }
}
