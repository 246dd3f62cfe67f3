import { getLocale } from "next-intl/server";
import { beginLogin } from "@/lib/console/oidc";
import { setTxCookie } from "@/lib/console/request";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/** Starts an operator's sign-in: to the Auth0 tenant with PKCE, state and nonce (docs/console.md). */
export async function GET(): Promise<Response> {
  const settings = env().console;
  const back = (error?: string) => Response.redirect(new URL(`/console${error ? `?error=${error}` : ""}`, env().publicUrl), 303);
  if (!settings) return back();
  try {
    const { url, tx } = await beginLogin(settings, new URL("/console/callback", env().publicUrl).href, await getLocale());
    await setTxCookie(tx);
    return new Response(null, { status: 303, headers: { Location: url.href, "Cache-Control": "no-store" } });
  } catch (err) {
    log.error({ err }, "console sign-in could not start");
    return back("unavailable");
  }
}
