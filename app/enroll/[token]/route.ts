import type { NextRequest } from "next/server";
import { getTranslations } from "next-intl/server";
import { audit } from "@/lib/audit";
import { db } from "@/lib/db";
import { claimLink, ENROLL_LINK_COOKIE, openableLink, type EnrollmentLink } from "@/lib/enrollment-links";
import { env } from "@/lib/env";
import { isFactorId } from "@/lib/factors/registry";
import { currentBranding } from "@/lib/flow/branding";
import { documentResponse } from "@/lib/html";
import { errorRedirect, escapeHtml } from "@/lib/http";
import { chosenLocale } from "@/lib/i18n/choice";
import { negotiateLocale } from "@/lib/i18n/locales";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

/**
 * The enrollment link support sends (docs/decisions/0012-enrollment-links.md). A route handler
 * (as the error page, decision 0001) so every answer is complete HTML without JavaScript and the
 * refusal has a real status. A GET changes nothing (mail scanners fetch links): it says what the
 * link does and offers one button. The POST claims the link for this browser, once, with a
 * cookie holding a random value (never the token); the next sign-in here sets up the factor.
 * An unknown, expired, claimed, used or revoked link gets one page, 404, that does not say which.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  return answer(request, params, "open");
}

export async function POST(request: NextRequest, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  return answer(request, params, "claim");
}

async function answer(request: NextRequest, params: Promise<{ token: string }>, mode: "open" | "claim"): Promise<Response> {
  const locale = negotiateLocale(await chosenLocale(), request.headers.get("accept-language"));
  const [t, factors, common] = await Promise.all([
    getTranslations({ locale, namespace: "enrollLink" }),
    getTranslations({ locale, namespace: "factors" }),
    getTranslations({ locale, namespace: "common" }),
  ]);
  const https = new URL(request.url).protocol === "https:";
  const page = async (title: string, body: string, status = 200) => documentResponse({ locale, status, title, brand: common("brand"), https, branding: await currentBranding(), body });
  const refused = () => page(t("refusedTitle"), `<h1>${escapeHtml(t("refusedTitle"))}</h1>\n<div class="alert" role="alert" data-testid="enroll-link-refused">${escapeHtml(t("refused"))}</div>`, 404);
  try {
    const { token } = await params;
    const config = env();
    const now = Date.now();
    const link = await openableLink(db(), config.keys, token, now);
    if (!link) return await refused();
    const what = (l: EnrollmentLink) => (l.factor !== null && isFactorId(l.factor) ? t("factorNamed", { factor: factors(`${l.factor}.name`) }) : t("factorAny"));
    if (mode === "open") {
      return await page(
        t("openTitle"),
        `<h1>${escapeHtml(t("openTitle"))}</h1>
<p data-testid="enroll-link-what">${escapeHtml(t("openIntro", { what: what(link) }))}</p>
<p>${escapeHtml(t("openHow"))}</p>
<form method="post"><button type="submit">${escapeHtml(t("claim"))}</button></form>`,
      );
    }
    const claim = await claimLink(db(), config.keys, link.id, now);
    if (!claim) return await refused();
    await audit(db(), {
      event: "enroll_link.claimed",
      tenant: link.tenant,
      sub: link.sub,
      factor: link.factor,
      outcome: "success",
      ip: request.headers.get("x-forwarded-for")?.split(",")[0]?.trim().slice(0, 64) ?? null,
      userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
      detail: { linkId: link.id },
    });
    const app = link.return_to ? new URL(link.return_to).host : null;
    const next = app
      ? `<p><a href="${escapeHtml(link.return_to ?? "")}" data-testid="enroll-link-sign-in" style="color:var(--ks-primary);font-weight:600">${escapeHtml(t("signInTo", { app }))}</a></p>`
      : `<p data-testid="enroll-link-sign-in">${escapeHtml(t("signInAsUsual"))}</p>`;
    const response = await page(
      t("claimedTitle"),
      `<h1>${escapeHtml(t("claimedTitle"))}</h1>\n<p data-testid="enroll-link-claimed">${escapeHtml(t("claimedIntro", { what: what(link) }))}</p>\n${next}`,
    );
    const maxAge = Math.max(1, Math.floor((Number(link.expires_at) - now) / 1000));
    response.headers.append("Set-Cookie", `${ENROLL_LINK_COOKIE}=${claim}; Path=/; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Lax`);
    return response;
  } catch (err) {
    // A failed dependency is the unavailable page, as on every other screen.
    log.error({ err }, "enrollment link page failed");
    return errorRedirect("unavailable");
  }
}
