import type { NextRequest } from "next/server";
import { getTranslations } from "next-intl/server";
import { isErrorReason, REFUSAL_HEADER } from "@/lib/errors";
import { documentResponse } from "@/lib/html";
import { currentBranding } from "@/lib/flow/branding";
import { escapeHtml } from "@/lib/http";
import { negotiateLocale } from "@/lib/i18n/locales";
import { chosenLocale } from "@/lib/i18n/choice";

export const dynamic = "force-dynamic";

/**
 * The error page every refusal lands on: 403, `role="alert"`, localised, and complete without
 * JavaScript. The reason comes from our own redirects; anything unknown reads as "no session".
 */
export async function GET(request: NextRequest): Promise<Response> {
  // A POST the proxy refused arrives rewritten with its original URL, the reason in a request
  // header the proxy sets (a rewrite does not change the URL a route handler sees).
  const raw = request.headers.get(REFUSAL_HEADER) ?? request.nextUrl.searchParams.get("reason");
  const reason = isErrorReason(raw) ? raw : "no_flow";
  const locale = negotiateLocale(await chosenLocale(), request.headers.get("accept-language"));
  const [t, common] = await Promise.all([getTranslations({ locale, namespace: "error" }), getTranslations({ locale, namespace: "common" })]);
  return documentResponse({
    locale,
    branding: await currentBranding(),
    // A dependency that failed is worth a retry (503); everything else is a refusal.
    status: reason === "not_found" ? 404 : reason === "unavailable" ? 503 : 403,
    title: t("title"),
    brand: common("brand"),
    https: new URL(request.url).protocol === "https:",
    body: `<h1>${escapeHtml(t("title"))}</h1>
<div class="alert" role="alert" data-testid="error" data-reason="${reason}">${escapeHtml(t(`reasons.${reason}`))}</div>
<p>${escapeHtml(t("back"))}</p>`,
  });
}

/** A refused POST (proxy.ts) is rewritten here with its method: it gets the same page. */
export const POST = GET;
