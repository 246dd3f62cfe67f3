import type { NextRequest } from "next/server";
import { audit } from "@/lib/audit";
import { checkState, verifySessionToken } from "@/lib/auth0/inbound";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { FLOW_COOKIE } from "@/lib/flow/context";
import { userFactors } from "@/lib/flow/guard";
import { nextStep, stepPath } from "@/lib/flow/next-step";
import { openFlow } from "@/lib/flow/repo";
import { errorRedirect, seeOther } from "@/lib/http";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

/**
 * Entry from the Auth0 Action: `GET /auth0/start?session_token=…&state=…`. Verifies the token,
 * opens a flow bound to Auth0's single-use `state`, sets the opaque flow cookie and sends the
 * browser on with 303, so neither the token nor the state stays in the address bar or history.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const params = request.nextUrl.searchParams;
  // Auth0 appends its state last; a duplicated parameter means someone edited the URL.
  const states = params.getAll("state");
  const state = states.length === 1 ? states[0] : undefined;
  if (!checkState(state)) return errorRedirect("state_invalid");
  const config = env();
  const verified = await verifySessionToken(params.get("session_token") ?? undefined, config);
  if (!verified.ok) {
    log.info({ reason: verified.error }, "entry refused");
    return errorRedirect(verified.error);
  }
  const claims = verified.value;
  try {
    const opened = await openFlow(db(), config.secret, {
      state,
      context: { claims, ip: claims.ip ?? null, userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null },
      ttlSeconds: config.flowTtlSeconds,
    });
    if (!opened.ok) {
      await audit(db(), { event: "entry.replayed", auth0Host: claims.iss, sub: claims.sub, outcome: "refused", ip: claims.ip });
      return errorRedirect("state_replayed");
    }
    const { flow, cookieValue } = opened;
    await audit(db(), { event: "flow.opened", auth0Host: flow.host, sub: flow.sub, flowId: flow.id, ip: flow.context.ip, userAgent: flow.context.userAgent });
    const step = nextStep(flow, await userFactors(flow));
    const cookie = `${FLOW_COOKIE}=${cookieValue}; Path=/; Max-Age=${config.flowTtlSeconds}; HttpOnly; Secure; SameSite=Lax`;
    return seeOther(stepPath(step), { "Set-Cookie": cookie });
  } catch (err) {
    log.error({ err }, "entry failed");
    return errorRedirect("unavailable");
  }
}
