import { policyDecisions } from "@/lib/metrics";
import type { NextRequest } from "next/server";
import { audit, auditWho } from "@/lib/audit";
import { checkState, verifySessionToken } from "@/lib/auth0/inbound";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { FLOW_COOKIE } from "@/lib/flow/cookie";
import { flowCtx, userFactors } from "@/lib/flow/user-factors";
import { linkSetup, nextStep, stepPath } from "@/lib/flow/next-step";
import { openFlow } from "@/lib/flow/repo";
import { settleAtEntry } from "@/lib/flow/transition";
import { UPGRADE_LATER_COOKIE } from "@/lib/flow/upgrade";
import { DEVICE_COOKIE, deviceTokenHash, deviceTokenHashes } from "@/lib/devices/repo";
import { decideAtEntry } from "@/lib/policy/entry";
import { consumeLinkWithNothingToDo, ENROLL_LINK_COOKIE, linkAtEntry } from "@/lib/enrollment-links";
import { randomToken } from "@/lib/security/crypto";
import { errorRedirect, seeOther } from "@/lib/http";
import { log } from "@/lib/log";
import { arriveAt } from "@/lib/flow/arrive";
import { LOCALE_COOKIE } from "@/lib/i18n/locale-cookie";
import { negotiateLocale } from "@/lib/i18n/locales";

export const dynamic = "force-dynamic";

/**
 * Entry from the Auth0 Action: `GET /auth0/start?session_token=…&state=…`. Verifies the token,
 * opens a flow bound to Auth0's single-use `state` and to the token itself (a token opens one flow,
 * whatever state comes with it), sets the opaque flow cookie and sends the
 * browser on with 303, so neither the token nor the state stays in the address bar or history.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const params = request.nextUrl.searchParams;
  // Auth0 appends its state last; a duplicated parameter means someone edited the URL.
  const states = params.getAll("state");
  const state = states.length === 1 ? states[0] : undefined;
  if (!checkState(state)) return errorRedirect("state_invalid");
  const config = env();
  const sessionToken = params.get("session_token") ?? undefined;
  const verified = await verifySessionToken(sessionToken, config);
  if (!verified.ok) {
    log.info({ reason: verified.error }, "entry refused");
    return errorRedirect(verified.error);
  }
  const claims = verified.value;
  try {
    // Every browser gets a random device id (only its keyed hash is stored), so policy can tell a
    // new device from one that passed MFA before, and "Don't ask again" has something to bind to.
    const cookieToken = request.cookies.get(DEVICE_COOKIE)?.value;
    const deviceToken = cookieToken && /^[A-Za-z0-9_-]{43}$/.test(cookieToken) ? cookieToken : randomToken(32);
    const deviceHash = deviceTokenHash(config.keys, deviceToken);
    const ip = claims.ip ?? null;
    const userAgent = request.headers.get("user-agent")?.slice(0, 300) ?? null;
    // An enrollment link this browser claimed for this user (docs/decisions/0012-enrollment-links.md).
    const enroll = await linkAtEntry(
      db(),
      config.keys,
      request.cookies.get(ENROLL_LINK_COOKIE)?.value,
      { tenant: claims.tenant ?? claims.iss, sub: claims.sub, intent: claims.intent, ip, userAgent },
      Date.now(),
    );
    const decided = await decideAtEntry(db(), config.keys, { claims, ip, deviceToken: cookieToken === deviceToken ? deviceToken : null });
    // Support asked for a setup: a rule that would let the user through (a remembered device) still
    // asks; a denial stays one, and leaves the link for a later sign-in.
    const link = decided.outcome === "DENY" ? null : enroll.link;
    const policy = link && decided.outcome === "ALLOW" ? { ...decided, outcome: "CHALLENGE" as const } : decided;
    const opened = await openFlow(db(), config.keys, {
      state,
      // Verified above, so present. The token has no jti: it opens one flow, whatever the state.
      sessionToken: sessionToken!,
      context: {
        claims,
        ip,
        userAgent,
        policy,
        deviceHash,
        deviceHashes: deviceTokenHashes(config.keys, deviceToken),
        ...(request.cookies.has(UPGRADE_LATER_COOKIE) ? { offerSnoozed: true } : {}),
        ...(link ? { enrollLink: link } : {}),
      },
      ttlSeconds: config.flowTtlSeconds,
    });
    if (!opened.ok) {
      await audit(db(), {
        event: "entry.replayed",
        tenant: claims.iss,
        sub: claims.sub,
        outcome: "refused",
        ip: claims.ip,
        detail: { reused: opened.error === "token_replayed" ? "session_token" : "state" },
      });
      return errorRedirect("state_replayed");
    }
    const { flow, cookieValue } = opened;
    const who = auditWho(flow);
    await audit(db(), { ...who, event: "flow.opened" });
    await audit(db(), { ...who, event: "policy.outcome", outcome: policy.outcome, detail: { rule: policy.rule, reason: policy.reason } });
    policyDecisions.inc({ outcome: policy.outcome, rule: policy.rule ?? "" });
    if (policy.outcome !== "CHALLENGE") {
      const allowed = policy.outcome === "ALLOW";
      await settleAtEntry(db(), flow, policy.outcome, policy.rule);
      await audit(db(), { ...who, event: allowed ? "flow.skipped" : "flow.denied", outcome: allowed ? "success" : "denied", detail: { rule: policy.rule } });
    }
    const factors = policy.outcome === "CHALLENGE" ? await userFactors(flow) : null;
    if (flow.context.enrollLink) {
      await audit(db(), { ...who, event: "enroll_link.taken", outcome: "success", detail: { linkId: flow.context.enrollLink.id } });
      // The user already has what the link asks for: it is used up, with nothing to do.
      if (factors && linkSetup(flow, factors).length === 0) await consumeLinkWithNothingToDo(db(), flow, Date.now());
    }
    const step = factors ? nextStep(flow, factors) : policy.outcome === "ALLOW" ? ({ kind: "continue" } as const) : ({ kind: "ended", reason: "policy_denied" } as const);
    // The first step's code or link goes out now, in the user's language, not when its screen renders.
    await arriveAt(flowCtx(flow, negotiateLocale(request.cookies.get(LOCALE_COOKIE)?.value, flow.context.claims.locale, request.headers.get("accept-language"))), step);
    const cookies = [`${FLOW_COOKIE}=${cookieValue}; Path=/; Max-Age=${config.flowTtlSeconds}; HttpOnly; Secure; SameSite=Lax`];
    // 400 days is the longest lifetime browsers accept (RFC 6265bis); remembering itself expires server-side.
    if (enroll.stale) cookies.push(`${ENROLL_LINK_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    if (cookieToken !== deviceToken) cookies.push(`${DEVICE_COOKIE}=${deviceToken}; Path=/; Max-Age=${400 * 86_400}; HttpOnly; Secure; SameSite=Lax`);
    return seeOther(
      stepPath(step),
      cookies.map((c) => ["Set-Cookie", c] as [string, string]),
    );
  } catch (err) {
    log.error({ err }, "entry failed");
    return errorRedirect("unavailable");
  }
}
