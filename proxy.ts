import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { REFUSAL_HEADER } from "@/lib/errors";
import { requestIdHeader } from "@/lib/log";
import { buildCsp, newNonce, securityHeaders } from "@/lib/security/headers";
import { refuseRequest } from "@/lib/security/request-origin";

/**
 * Adds the nonce CSP and security headers to every page. Next reads the nonce from the
 * request's CSP header and stamps it on its own scripts. /continue and other route handlers
 * set their own headers (the continue page needs a wider form-action; the console's sign-in
 * callback answers a document with its own nonce, lib/html.ts).
 */
export function proxy(request: NextRequest) {
  // Forged or cross-site POSTs never reach a server action: they get the error page (403).
  if (refuseRequest(request.method, request.headers, env().publicUrl)) {
    const target = request.nextUrl.clone();
    target.pathname = "/error";
    target.search = "";
    const headers = new Headers(request.headers);
    headers.set(REFUSAL_HEADER, "request_refused");
    return NextResponse.rewrite(target, { request: { headers } });
  }
  const nonce = newNonce();
  const csp = buildCsp({
    nonce,
    dev: process.env.NODE_ENV === "development",
    https: request.nextUrl.protocol === "https:",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [k, v] of Object.entries({ ...securityHeaders(csp, "same-origin"), ...requestIdHeader() })) response.headers.set(k, v);
  return response;
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|icon.svg|favicon.ico|continue|error|auth0/start|console/login|console/callback|api/).*)" }],
};
