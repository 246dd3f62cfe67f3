import { escapeHtml } from "./http";
import { direction } from "./i18n/locales";
import { brandCss } from "./brand";
import type { Branding } from "./config";
import { requestIdHeader } from "./log";
import { buildCsp, newNonce, securityHeaders } from "./security/headers";

// The same look as app/_ui/Shell.tsx, in plain CSS: these documents are built by route handlers
// so that they are complete without JavaScript and carry their own CSP.
const STYLE = `body{margin:0;min-height:100dvh;overflow-wrap:anywhere;display:flex;flex-direction:column;align-items:center;justify-content:center;background:var(--ks-bg);color:var(--ks-fg);font-family:var(--ks-font,ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif)}
header{display:flex;gap:.5rem;align-items:center;margin:1.5rem 0;font-weight:600;font-size:1.125rem}header img{height:28px;width:auto}
main{box-sizing:border-box;width:calc(100% - 2rem);max-width:28rem;padding:2rem;border:1px solid var(--ks-border);border-radius:var(--ks-radius,.75rem);background:var(--ks-card)}
h1{margin:0 0 .75rem;font-size:1.5rem;line-height:1.25}p{margin:0 0 1.25rem;color:var(--ks-muted);line-height:1.5}
.alert{padding:.75rem 1rem;margin-bottom:1rem;border:1px solid var(--ks-danger);border-radius:var(--ks-radius,.75rem);background:var(--ks-danger-bg);color:var(--ks-danger);font-weight:500;font-size:.875rem;line-height:1.5}
.spinner{width:1.5rem;height:1.5rem;margin-bottom:1rem;border:3px solid var(--ks-border);border-top-color:var(--ks-primary);border-radius:50%;animation:spin .8s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
button{width:100%;min-height:2.75rem;border:0;border-radius:var(--ks-radius,.75rem);background:var(--ks-primary);color:var(--ks-primary-fg);font:inherit;font-weight:600;cursor:pointer}
button:focus-visible{outline:3px solid var(--ks-focus);outline-offset:2px}`;

export interface DocumentOptions {
  locale: string;
  title: string;
  brand: string;
  /** Trusted HTML: callers escape every value they interpolate. */
  body: string;
  status?: number;
  /** Inline script body, run under the page's nonce. */
  script?: string;
  formAction?: string[];
  https?: boolean;
  /** The application's branding (colours, logo, name already in `brand`). */
  branding?: Branding;
}

/** A complete, self-contained HTML response with the security headers and a fresh nonce CSP. */
export function documentResponse(o: DocumentOptions): Response {
  const nonce = newNonce();
  const html = `<!doctype html>
<html lang="${escapeHtml(o.locale)}" dir="${direction(o.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(o.title)}</title>
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<style>${brandCss(o.branding)}
${STYLE}</style>
</head>
<body>
<header><img src="${escapeHtml(o.branding?.logoUrl ?? "/icon.svg")}" alt=""><span>${escapeHtml(o.branding?.name ?? o.brand)}</span></header>
<main>
${o.body}
</main>
${o.script ? `<script nonce="${nonce}">${o.script}</script>` : ""}
</body>
</html>`;
  const csp = buildCsp({ nonce, formAction: o.formAction, https: o.https });
  return new Response(html, { status: o.status ?? 200, headers: { ...securityHeaders(csp), ...requestIdHeader(), "Content-Type": "text/html; charset=utf-8" } });
}
