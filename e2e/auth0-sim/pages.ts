/** The simulator's HTML: the demo app and the simulated Universal Login. Every value is escaped. */
import type { Claims } from "./tokens";
import type { Method, SimUser, TokenClaims } from "./runtime";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (value: unknown): string => String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f1f5f9;color:#0f172a;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 1px 3px #0002;width:min(34rem,calc(100% - 2rem));box-sizing:border-box}
h1{margin-top:0;font-size:1.5rem}.tag{font-size:.75rem;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:#eb5424}
a.button,button{color:#fff;background:#eb5424;border:0;border-radius:6px;padding:.7rem 1.1rem;font:inherit;font-weight:600;text-decoration:none;display:inline-block;cursor:pointer}
a.button:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.links{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin-top:1.5rem}
label{display:block;margin:.9rem 0 .3rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.6rem;border-radius:6px;border:1px solid #94a3b8;font:inherit}
pre{background:#0f172a;color:#e2e8f0;padding:1rem;border-radius:8px;overflow:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-all}
.note{color:#475569;font-size:.9rem}[role=alert]{background:#fef2f2;color:#7f1d1d;border:1px solid #fecaca;padding:.8rem;border-radius:8px}
.status code{background:#e2e8f0;padding:.1rem .4rem;border-radius:4px}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main><p class="tag">Simulated Auth0</p>${body}</main></body></html>`;
}

const homeAndLogout = `<div class="links"><a class="button" href="/">Log in again</a><a href="/logout">Log out</a></div>`;

export function homePage(authorizeHref: string): string {
  return layout(
    "Demo app (simulated Auth0)",
    `<h1>Demo app</h1>
<p>This app signs users in with a simulated Auth0 tenant that runs Keystep's real post-login Action.</p>
<div class="links"><a class="button" href="${esc(authorizeHref)}">Log in</a><a href="/logout">Log out</a></div>`,
  );
}

export function loginPage(opts: { issuer: string; query: Record<string, string>; email: string; password: string; error?: string }): string {
  const hidden = Object.entries(opts.query)
    .map(([k, v]) => `<input type="hidden" name="q_${esc(k)}" value="${esc(v)}">`)
    .join("");
  return layout(
    "Log in (simulated Auth0)",
    `<h1>Log in</h1>
<p class="note">Tenant <code>${esc(opts.issuer)}</code>. Any email and password work; a new email is a new user.</p>
${opts.error ? `<p role="alert">${esc(opts.error)}</p>` : ""}
<form method="post" action="/login">${hidden}
<label for="email">Email</label><input id="email" name="email" type="email" value="${esc(opts.email)}" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" value="${esc(opts.password)}" autocomplete="current-password" required>
<div class="links"><button type="submit">Log in</button></div></form>`,
  );
}

export function loggedInPage(user: SimUser, methods: Method[], claims: Claims | null, tokens: TokenClaims): string {
  const list = methods.map((m) => `<li><code>${esc(m.name)}</code> at ${esc(m.timestamp)}</li>`).join("");
  const result = claims
    ? `<h2>Keystep result, as validated by the Action</h2><pre data-testid="claims">${esc(JSON.stringify(claims, null, 2))}</pre>`
    : `<p class="note">Keystep was not needed for this login: the Action let it through without a redirect.</p>`;
  return layout(
    "Logged in",
    `<h1>Logged in</h1>
<p class="status">Result: <code data-testid="result">logged-in</code></p>
<p>Signed in as <strong>${esc(user.email)}</strong> (<code data-testid="sub">${esc(user.user_id)}</code>).</p>
<h2>Authentication methods in this session</h2><ul data-testid="methods">${list}</ul>
<h2>Custom claims in the ID token</h2><pre data-testid="id-token-claims">${esc(JSON.stringify(tokens.idToken, null, 2))}</pre>
<h2>Custom claims in the access token</h2><pre data-testid="access-token-claims">${esc(JSON.stringify(tokens.accessToken, null, 2))}</pre>
${result}${homeAndLogout}`,
  );
}

export function errorPage(error: string, description: string): string {
  return layout(
    "Login failed",
    `<h1>Login failed</h1>
<p class="status">Result: <code data-testid="result">error</code></p>
<div role="alert"><strong>${esc(error)}</strong>${description ? `: ${esc(description)}` : ""}</div>
${homeAndLogout}`,
  );
}

export function notFoundPage(): string {
  return layout("Not found", `<h1>Not found</h1><div class="links"><a href="/">Home</a></div>`);
}
