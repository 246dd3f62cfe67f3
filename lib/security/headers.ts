/**
 * Security headers shared by the proxy (pages) and the route handlers that answer directly.
 * DESIGN §4 "Pages": nonce CSP, no framing, no referrer, no caching.
 */
export interface CspOptions {
  nonce: string;
  /** Extra `form-action` sources; only the page that posts to Auth0's /continue widens it. */
  formAction?: string[];
  dev?: boolean;
  https?: boolean;
}

export function buildCsp({ nonce, formAction = [], dev = false, https = false }: CspOptions): string {
  const directives = [
    "default-src 'self'",
    // strict-dynamic lets Next's nonce'd bootstrap load its chunks; eval only for dev's HMR.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React sets style attributes; attributes cannot carry a nonce.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action ${["'self'", ...formAction].join(" ")}`,
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/**
 * `form-action` for the page that posts to Auth0. Chromium and Safari apply form-action to every
 * redirect after the POST too (w3c/webappsec-csp#8): Auth0 → the app's callback on any origin,
 * or the next Action's redirect. So the page allows the configured Auth0 origins and any https
 * target (and http when a local simulator entry is configured), or logins break in Chrome only.
 */
export function continueFormAction(auth0Origins: string[]): string[] {
  const anyHttp = auth0Origins.some((o) => o.startsWith("http:"));
  return [...auth0Origins, "https:", ...(anyHttp ? ["http:"] : [])];
}

/**
 * `no-referrer` everywhere except the screens' own form posts: there Chromium would send
 * `Origin: null`, which Next's server-action CSRF check refuses, so forms would fail without
 * JavaScript. Screens use `same-origin` (their URLs hold no secrets, and no other origin ever
 * gets a referrer); the entry URL, which carries the token, and /continue stay `no-referrer`.
 */
export type ReferrerPolicy = "no-referrer" | "same-origin";

export function securityHeaders(csp: string, referrer: ReferrerPolicy = "no-referrer"): Record<string, string> {
  return {
    "Content-Security-Policy": csp,
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Referrer-Policy": referrer,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
}

export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
