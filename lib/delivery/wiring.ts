import Redis from "ioredis";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { brandingFor } from "@/lib/config";
import type { LinkDelivery } from "@/lib/factors/magic-link/factor";
import type { FactorCtx } from "@/lib/factors/types";
import { log } from "@/lib/log";
import { DbBudgetStore, RedisBudgetStore, type BudgetStore } from "@/lib/security/budgets";
import { createSmtpSender } from "./email";
import { renderNoticeEmail } from "./notice";
import { createLogSender, createTwilioSender, createWebhookSender } from "./sms";
import { renderLinkEmail } from "./templates";
import type { EmailSender, SmsSender } from "./types";
import { ctxLocale, translatorFor } from "@/lib/i18n/translator";

/*
 * Delivery wiring: the configured SMTP and SMS senders and the send-budget store (Redis or the
 * database), each built once per process, plus the sign-in link and security-notice emails.
 */
const g = globalThis as unknown as { keystepSenders?: Map<string, unknown>; keystepBudgets?: BudgetStore };

/** Builds a sender once per process and name, so connections and pools are shared by every request. */
export function once<T>(name: string, build: () => T): T {
  g.keystepSenders ??= new Map();
  if (!g.keystepSenders.has(name)) g.keystepSenders.set(name, build());
  return g.keystepSenders.get(name) as T;
}

/** The SMTP sender, or null when SMTP_URL is not set. */
export function emailSender(): EmailSender | null {
  return once("email", () => {
    const c = env().email;
    return c ? createSmtpSender({ url: c.smtpUrl, from: c.from }) : null;
  });
}

/** The text-message sender SMS_PROVIDER names, or null for `none`. */
export function smsSender(): SmsSender | null {
  return once("sms", () => {
    const c = env().sms;
    switch (c.provider) {
      case "twilio":
        return createTwilioSender(c);
      case "webhook":
        return createWebhookSender(c);
      case "log":
        return createLogSender(log, env().nodeEnv);
      case "none":
        return null;
    }
  });
}

/**
 * The budgets' Redis client. While Redis is down every send fails closed (RedisBudgetStore) and
 * ioredis reconnects on its own; its connection errors are logged at most once a minute rather
 * than printed as "Unhandled error event" on every retry.
 */
function redisClient(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  let lastLogged = 0;
  client.on("error", (err: Error) => {
    if (Date.now() - lastLogged < 60_000) return;
    lastLogged = Date.now();
    log.warn({ err: err.message }, "redis unavailable: sends fail closed until it is back");
  });
  return client;
}

/** Send budgets live in Redis when REDIS_URL is set, otherwise in the database. */
export function budgets(): BudgetStore {
  const url = env().redisUrl;
  g.keystepBudgets ??= url ? new RedisBudgetStore(redisClient(url)) : new DbBudgetStore(db());
  return g.keystepBudgets;
}

/** The brand for messages: the environment's, then the application's branding from keystep.config.json. */
export function emailBrand(ctx: FactorCtx) {
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
      const locale = ctxLocale(ctx);
      const t = await translatorFor(locale, "messages.linkEmail");
      const app = ctx.flow.context.claims.client_name ?? emailBrand(ctx).name;
      const mail = renderLinkEmail({
        brand: emailBrand(ctx),
        url,
        lang: locale,
        strings: {
          subject: t("subject", { brand: emailBrand(ctx).name }),
          heading: t("heading"),
          intro: t("intro", { app }),
          button: t("button"),
          number: t("number"),
          expiry: t("expiry", { minutes: Math.round(ttlMs / 60_000) }),
          ignore: t("ignore"),
          footer: t("footer", { brand: emailBrand(ctx).name }),
        },
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
    const locale = ctxLocale(ctx);
    const t = await translatorFor(locale, `messages.${key}`);
    const app = ctx.flow.context.claims.client_name ?? emailBrand(ctx).name;
    const mail = renderNoticeEmail({
      brand: emailBrand(ctx),
      lang: locale,
      strings: { subject: t("subject", { brand: emailBrand(ctx).name }), heading: t("heading"), body: t("body", { app }), footer: t("footer", { brand: emailBrand(ctx).name }) },
    });
    const r = await sender.send({ to, ...mail });
    if (!r.ok) log.warn({ error: r.error }, "notice email failed");
  } catch (err) {
    log.warn({ err }, "notice email failed");
  }
}
