import { results } from "@/lib/metrics";
import { getTranslations } from "next-intl/server";
import { continueUrl, findDomain, tenantForIssuer } from "@/lib/auth0/domains";
import { mintResultToken } from "@/lib/auth0/outbound";
import { env } from "@/lib/env";
import { db } from "@/lib/db";
import { findFlow } from "@/lib/flow/repo";
import { currentFlow } from "@/lib/flow/context";
import { flowCtx } from "@/lib/flow/user-factors";
import { stepPath } from "@/lib/flow/next-step";
import { completeIfDone } from "@/lib/flow/transition";
import { errorRedirect, escapeHtml, seeOther } from "@/lib/http";
import { negotiateLocale } from "@/lib/i18n/locales";
import { chosenLocale } from "@/lib/i18n/choice";
import { log } from "@/lib/log";
import { continueFormAction } from "@/lib/security/headers";
import { documentResponse } from "@/lib/html";
import { currentBranding } from "@/lib/flow/branding";
import { resultSecret } from "@/lib/auth0/outbound";

export const dynamic = "force-dynamic";

/**
 * Hands the result back to Auth0: an auto-submitting top-level POST to `{iss}/continue?state=S`
 * (Auth0's transaction cookie needs a real navigation). A route handler rather than a page so that
 * it is always a full document with its own CSP: a client-side navigation would keep the previous
 * page's `form-action 'self'` and the browser would block the POST.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    return await answer(request);
  } catch (err) {
    // The database went away mid-request: the clear, localised 503 page (the flow is kept; a
    // reload retries), never a bare 500.
    log.error({ err }, "continue failed");
    return errorRedirect("unavailable");
  }
}

async function answer(request: Request): Promise<Response> {
  const lookup = await currentFlow();
  if (!lookup.ok) return errorRedirect(lookup.reason);
  let { flow } = lookup;
  if (flow.status !== "done" || !flow.outcome) {
    // Only nextStep's `complete` finishes a flow (lib/flow/transition.ts); any other step is shown.
    const done = await completeIfDone(flowCtx(flow));
    if (done.step.kind !== "continue") return seeOther(stepPath(done.step));
    const fresh = await findFlow(db(), flow.id);
    if (!fresh || fresh.status !== "done") return errorRedirect("unavailable");
    flow = fresh;
  }

  // Back through the domain the login came from (Auth0's transaction cookie lives there), signed
  // with that tenant's secret only, and only if the flow's users are still that tenant's.
  const config = env();
  const iss = flow.context.claims.iss;
  const domain = findDomain(config.auth0Domains, iss);
  const tenant = tenantForIssuer(config.tenants, iss);
  if (!domain || !tenant || tenant.id !== flow.tenant) return errorRedirect("issuer_not_allowed");
  const token = await mintResultToken(resultSecret(tenant, flow.context.claims.secretId), {
    iss,
    sub: flow.sub,
    state: flow.state,
    outcome: flow.outcome ?? "denied",
    amr: flow.result?.amr ?? [],
    enrolled: flow.result?.enrolled ?? [],
    ...(flow.result?.reason ? { reason: flow.result.reason } : {}),
    // Policy let the user through without a challenge: say so, with the rule, rather than imply MFA.
    ...(flow.result?.skipped ? { skipped: flow.result.skipped } : {}),
  });
  log.info({ flow: flow.id.slice(-8), outcome: flow.outcome }, "returning to auth0");
  results.inc({ outcome: flow.outcome ?? "denied", reason: flow.result?.reason ?? (flow.result?.skipped ? "skipped" : "") });

  const locale = negotiateLocale(await chosenLocale(), flow.context.claims.locale, request.headers.get("accept-language"));
  const t = await getTranslations({ locale, namespace: "continue" });
  const app = flow.context.claims.client_name ?? t("defaultApp");
  const denied = flow.outcome !== "success";
  const common = await getTranslations({ locale, namespace: "common" });
  const title = t(denied ? "titleDenied" : "title", { app });
  return documentResponse({
    locale,
    branding: await currentBranding(),
    title,
    brand: common("brand"),
    https: new URL(request.url).protocol === "https:",
    formAction: continueFormAction(config.auth0Domains.map((d) => d.origin)),
    body: `<div class="spinner" aria-hidden="true"></div>
<h1>${escapeHtml(title)}</h1>
<p role="status" id="status">${escapeHtml(t(denied ? "bodyDenied" : "body", { app }))}</p>
<p id="again" hidden>${escapeHtml(t("again", { app }))}</p>
<form method="post" action="${escapeHtml(continueUrl(domain, flow.state))}" id="continue">
<input type="hidden" name="state" value="${escapeHtml(flow.state)}">
<input type="hidden" name="session_token" value="${escapeHtml(token)}">
<button type="submit">${escapeHtml(t("button"))}</button>
</form>`,
    // Posted once per tab: Back (or a reload) after the result went to Auth0 shows that it went,
    // with the button, instead of re-posting a used state into an error at the application.
    script: `(function(){var f=document.getElementById("continue"),k="keystep-continued:"+f.elements.state.value,seen=false;try{seen=sessionStorage.getItem(k)==="1";sessionStorage.setItem(k,"1")}catch(e){}if(seen){document.getElementById("again").hidden=false;document.getElementById("status").hidden=true;var s=document.querySelector(".spinner");if(s)s.style.display="none"}else f.submit()})();`,
  });
}
