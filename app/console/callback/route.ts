import { getLocale, getTranslations } from "next-intl/server";
import { audit } from "@/lib/audit";
import { openConsoleSession } from "@/lib/console/sessions";
import { finishLogin, operatorFromClaims } from "@/lib/console/oidc";
import { setSessionCookie, takeTxCookie } from "@/lib/console/request";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { documentResponse } from "@/lib/html";
import { escapeHtml } from "@/lib/http";
import { log } from "@/lib/log";

/**
 * Auth0's redirect back: the code is exchanged with the PKCE verifier, the ID token checked, and
 * the operator let in only with the role and a Keystep MFA in the token. The session cookie is
 * SameSite=Strict, which a browser does not send on the rest of a navigation that began on
 * another site, so the way on to /console is a same-site page of its own.
 */
export async function GET(request: Request): Promise<Response> {
  const settings = env().console;
  const back = (error: string) => Response.redirect(new URL(`/console?error=${error}`, env().publicUrl), 303);
  if (!settings) return Response.redirect(new URL("/console", env().publicUrl), 303);
  const tx = await takeTxCookie();
  if (!tx) return back("expired");
  const search = new URL(request.url).search;
  const callback = new URL(`/console/callback${search}`, env().publicUrl);
  let claims: Record<string, unknown>;
  try {
    claims = await finishLogin(settings, callback, tx);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, "console sign-in failed");
    return back("failed");
  }
  const who = operatorFromClaims(claims, settings);
  const ip = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || null;
  const userAgent = request.headers.get("user-agent");
  if (!who.ok) {
    await audit(db(), { event: "console.sign_in", sub: who.sub, outcome: "refused", ip, userAgent, detail: { reason: who.reason } });
    return back(who.reason);
  }
  await setSessionCookie(await openConsoleSession(db(), env().keys, who.operator));
  await audit(db(), { event: "console.sign_in", sub: who.operator.sub, outcome: "success", ip, userAgent, detail: { operator: who.operator.email ?? who.operator.sub } });
  const [t, locale] = await Promise.all([getTranslations("console"), getLocale()]);
  const res = documentResponse({
    locale,
    title: t("title"),
    brand: env().brand.name,
    body: `<h1>${escapeHtml(t("signedInTitle"))}</h1><p><a href="/console">${escapeHtml(t("continue"))}</a></p>`,
    // A same-site navigation on, which carries the new SameSite=Strict cookie.
    script: 'location.replace("/console")',
    https: env().publicUrl.protocol === "https:",
  });
  res.headers.set("Cache-Control", "no-store");
  return res;
}
