"use server";

import { redirect } from "next/navigation";
import { audit } from "@/lib/audit";
import { consoleAction, type IssuedLinkState, LINK_LIFETIMES, parseReason } from "@/lib/console/actions";
import { reactAction } from "@/lib/flow/guard";
import { clearSessionCookie, consoleActor, CONSOLE_COOKIE, currentConsoleSession } from "@/lib/console/request";
import { closeConsoleSession } from "@/lib/console/sessions";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { offeredFactors } from "@/lib/enrollment-links";
import { factorLabels } from "@/lib/factors/labels";
import type { Translate } from "@/lib/i18n/translate";
import { issueEnrollmentLink, parseLifetime, parseUserKey, resolveTenant } from "@/lib/support/ops";
import { cookies } from "next/headers";
import { getTranslations } from "next-intl/server";

/**
 * The console's server actions. A POST reaches them only from Keystep's own origin (proxy.ts
 * refuses any other before an action runs), with the SameSite=Strict session cookie, and each
 * checks the session again here.
 */

export const signOut = reactAction(async function signOut(): Promise<void> {
  const session = await currentConsoleSession();
  await closeConsoleSession(db(), env().keys, (await cookies()).get(CONSOLE_COOKIE)?.value);
  await clearSessionCookie();
  if (session) await audit(db(), { event: "console.sign_out", sub: session.operator.sub, outcome: "success", detail: { operator: session.operator.email ?? session.operator.sub } });
  redirect("/console");
});

/** Runs one entry of the action list (lib/console/actions.ts) once the operator confirmed it and gave a reason. */
export const runConsoleAction = reactAction(async function runConsoleAction(form: FormData): Promise<void> {
  const session = await currentConsoleSession();
  if (!session) redirect("/console?error=signed_out");
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const tenant = resolveTenant(env().tenants, field("tenant") || env().console?.tenant || null, "the tenant field");
  const user = tenant.ok ? parseUserKey(tenant.value, field("user")) : tenant;
  const action = consoleAction(field("action"));
  const back = (params: Record<string, string>) => {
    const q = new URLSearchParams({ ...(tenant.ok ? { tenant: tenant.value } : {}), user: field("user"), ...params });
    redirect(`/console?${q}`);
  };
  if (!user.ok || !action) return back({ error: "invalid" });
  const authenticator = action.perAuthenticator ? field("authenticator") : null;
  const confirm = { confirm: action.id, ...(authenticator ? { authenticator } : {}) };
  if (field("confirmed") !== "yes") return back({ ...confirm, error: "unconfirmed" });
  const reason = parseReason(form.get("reason"));
  if (reason === null) return back({ ...confirm, error: "reason" });
  const result = await action.run({ db: db(), user: user.value, actor: await consoleActor(session, reason), env: env(), authenticatorId: authenticator });
  if (!result.ok) return back({ error: result.error });
  back({ done: action.id });
});

/**
 * "Issue an enrollment link" (decision 0012): behind the same confirmation and reason as every
 * console action, for the user on screen. The URL is answered once to this form and never stored
 * or audited (only its id is), so it is not a redirect either.
 */
export const issueConsoleLink = reactAction(async function issueConsoleLink(_prev: IssuedLinkState, form: FormData): Promise<IssuedLinkState> {
  const t = await getTranslations("console");
  const session = await currentConsoleSession();
  if (!session) return { error: t("errors.signed_out") };
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const config = env();
  const tenant = resolveTenant(config.tenants, field("tenant") || config.console?.tenant || null, "the tenant field");
  const user = tenant.ok ? parseUserKey(tenant.value, field("user")) : tenant;
  if (!user.ok) return { error: t("errors.invalid") };
  if (field("confirmed") !== "yes") return { error: t("errors.unconfirmed") };
  const reason = parseReason(form.get("reason"));
  if (reason === null) return { error: t("errors.reason") };
  const lifetime = (LINK_LIFETIMES as readonly string[]).includes(field("lifetime")) ? parseLifetime(field("lifetime")) : null;
  if (!lifetime?.ok) return { error: t("errors.invalid") };
  const r = await issueEnrollmentLink(db(), user.value, { factor: field("factor") || null, ttlMs: lifetime.value }, await consoleActor(session, reason), Date.now(), {
    keys: config.keys,
    publicUrl: config.publicUrl,
    offered: offeredFactors(config),
  });
  if (!r.ok) return { error: t(`errors.${r.error === "invalid_factor" ? "invalid_factor" : "invalid"}`) };
  const method = r.value.factor ? factorLabels((await getTranslations()) as unknown as Translate).name(r.value.factor) : t("link.anyFactor");
  return { url: r.value.url, message: t("link.issued", { method, at: r.value.expiresAt.replace("T", " ").slice(0, 16) }) };
});
