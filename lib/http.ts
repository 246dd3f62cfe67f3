import "server-only";
import { buildCsp, newNonce, securityHeaders } from "@/lib/security/headers";

/** A 303 to a same-origin path, with the security headers (relative Location: RFC 9110 §10.2.2). */
export function seeOther(path: string, extra: Record<string, string> = {}): Response {
  const csp = buildCsp({ nonce: newNonce() });
  return new Response(null, { status: 303, headers: { ...securityHeaders(csp), Location: path, ...extra } });
}

/** Sends the browser to the localised error page for `reason`. */
export function errorRedirect(reason: string): Response {
  return seeOther(`/error?reason=${encodeURIComponent(reason)}`);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
