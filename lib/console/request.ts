import { cookies, headers } from "next/headers";
import { cache } from "react";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { Actor } from "@/lib/support/ops";
import { CONSOLE_ABSOLUTE_MS, consoleSession, type ConsoleSession } from "./sessions";
import { TX_MAX_AGE_MS, type LoginTransaction } from "./oidc";

/**
 * The console's cookies, for React screens, server actions and route handlers (next/headers).
 * Both are `__Host-` (Secure, Path=/, no Domain: browsers treat http://localhost as secure, as for
 * the flow cookie) and HttpOnly. The session's is SameSite=Strict: no other site's page can make
 * the browser send it. The sign-in transaction's is Lax, because Auth0's redirect back to
 * /console/callback is a cross-site navigation.
 */
export const CONSOLE_COOKIE = "__Host-keystep_console";
export const CONSOLE_TX_COOKIE = "__Host-keystep_console_tx";

/** The signed-in operator's session for this request, or null (console off, no cookie, ended). */
export const currentConsoleSession = cache(async (): Promise<ConsoleSession | null> => {
  if (!env().console) return null;
  return consoleSession(db(), env().keys, (await cookies()).get(CONSOLE_COOKIE)?.value);
});

export async function setSessionCookie(value: string): Promise<void> {
  (await cookies()).set(CONSOLE_COOKIE, value, { path: "/", httpOnly: true, secure: true, sameSite: "strict", maxAge: CONSOLE_ABSOLUTE_MS / 1000 });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).set(CONSOLE_COOKIE, "", { path: "/", httpOnly: true, secure: true, sameSite: "strict", maxAge: 0 });
}

export async function setTxCookie(tx: LoginTransaction): Promise<void> {
  (await cookies()).set(CONSOLE_TX_COOKIE, Buffer.from(JSON.stringify(tx)).toString("base64url"), { path: "/", httpOnly: true, secure: true, sameSite: "lax", maxAge: TX_MAX_AGE_MS / 1000 });
}

/** The pending sign-in's transaction (and the cookie is cleared: it is single use), or null. */
export async function takeTxCookie(now = Date.now()): Promise<LoginTransaction | null> {
  const jar = await cookies();
  const raw = jar.get(CONSOLE_TX_COOKIE)?.value;
  jar.set(CONSOLE_TX_COOKIE, "", { path: "/", httpOnly: true, secure: true, sameSite: "lax", maxAge: 0 });
  if (!raw || raw.length > 2000) return null;
  try {
    const tx = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<LoginTransaction>;
    if (typeof tx.state !== "string" || typeof tx.nonce !== "string" || typeof tx.verifier !== "string" || typeof tx.at !== "number") return null;
    if (tx.at > now || now - tx.at > TX_MAX_AGE_MS) return null;
    return { state: tx.state, nonce: tx.nonce, verifier: tx.verifier, at: tx.at };
  } catch {
    return null;
  }
}

/** The operator as the audit trail records them, with the reason they gave. */
export async function consoleActor(session: ConsoleSession, reason?: string): Promise<Actor> {
  const h = await headers();
  const ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip")?.trim() || null;
  return {
    kind: "console",
    ip: ip?.slice(0, 64) ?? null,
    userAgent: h.get("user-agent")?.slice(0, 300) ?? null,
    operator: session.operator.email ?? session.operator.sub,
    operatorSub: session.operator.sub,
    reason,
  };
}
