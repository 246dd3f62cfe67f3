import { requestIdHeader } from "@/lib/log";
import { buildCsp, newNonce, securityHeaders } from "@/lib/security/headers";

/** A 303 to a same-origin path, with the security headers (relative Location: RFC 9110 §10.2.2). */
export function seeOther(path: string, extra: Record<string, string> | Array<[string, string]> = {}): Response {
  const csp = buildCsp({ nonce: newNonce() });
  const headers = new Headers({ ...securityHeaders(csp), ...requestIdHeader(), Location: path });
  // An array allows repeated headers (several Set-Cookie).
  for (const [k, v] of Array.isArray(extra) ? extra : Object.entries(extra)) headers.append(k, v);
  return new Response(null, { status: 303, headers });
}

/** Sends the browser to the localised error page for `reason`. */
export function errorRedirect(reason: string): Response {
  return seeOther(`/error?reason=${encodeURIComponent(reason)}`);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}
