/*
 * The inbox page. Emails are shown as a mail client would: each inside its own sandboxed iframe
 * (no scripts, no same-origin access), so a message's HTML can neither run code nor read the
 * inbox's other messages.
 */
import type { InboxMessage } from "./store";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and quoted attributes (including a whole document in srcdoc). */
export const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]!);

export interface PageInfo {
  smtpUrl: string;
  webhookUrl: string;
  twilioBaseUrl: string;
}

const time = (ms: number) => {
  const d = new Date(ms);
  return `<time datetime="${d.toISOString()}">${d.toLocaleTimeString("en-GB")}</time>`;
};

// Links in a sandboxed frame cannot navigate it (no allow-top-navigation); opening them in a new
// tab (allow-popups) keeps sign-in links usable in the demo.
function withNewTabLinks(html: string): string {
  const base = '<base target="_blank">';
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => m + base) : base + html;
}

function emailCard(m: InboxMessage): string {
  const doc = m.html ?? `<pre style="white-space:pre-wrap;font:15px/1.5 system-ui,sans-serif;margin:16px">${esc(m.text)}</pre>`;
  return `<article class="card" aria-label="Email: ${esc(m.subject)}">
<header><span class="kind">Email</span>${time(m.receivedAt)}</header>
<h2>${esc(m.subject || "(no subject)")}</h2>
<dl><dt>To</dt><dd>${esc(m.to)}</dd><dt>From</dt><dd>${esc(m.from)}</dd></dl>
<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" loading="lazy" title="${esc(m.subject)}" srcdoc="${esc(withNewTabLinks(doc))}"></iframe>
<details><summary>Plain-text part</summary><pre>${esc(m.text)}</pre></details>
</article>`;
}

/** A text message, drawn as a phone: SMS, or a WhatsApp chat (labelled and coloured as such). */
function smsCard(m: InboxMessage): string {
  const whatsapp = m.kind === "whatsapp";
  return `<article class="card${whatsapp ? " whatsapp" : ""}" aria-label="${whatsapp ? "WhatsApp message" : "Text message"} to ${esc(m.to)}">
<header><span class="kind ${whatsapp ? "wa" : "sms"}">${whatsapp ? "WhatsApp" : "SMS"} · ${esc(m.via)}</span>${time(m.receivedAt)}</header>
<div class="phone"><div class="phone-bar"><span class="number">${esc(m.to)}</span>${m.from ? `<span class="sender">from ${esc(m.from)}</span>` : ""}</div>
<div class="thread"><p class="bubble">${esc(m.text)}</p></div></div>
</article>`;
}

function emptyState(info: PageInfo): string {
  return `<section class="card empty"><h2>Nothing yet</h2><p>Point Keystep here and sign in with an email, SMS or WhatsApp factor:</p>
<dl><dt>SMTP_URL</dt><dd><code>${esc(info.smtpUrl)}</code></dd><dt>SMS_WEBHOOK_URL</dt><dd><code>${esc(info.webhookUrl)}</code></dd><dt>TWILIO_BASE_URL</dt><dd><code>${esc(info.twilioBaseUrl)}</code></dd></dl></section>`;
}

const STYLE = `
:root{color-scheme:light;--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f1f5f9;--accent:#4f46e5}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:760px;margin:0 auto;padding:1rem}
.top h1{font-size:1.5rem;margin:.5rem 0 0}.top p{margin:.25rem 0 1rem;color:var(--muted)}
.card{background:#fff;border:1px solid var(--line);border-radius:12px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgb(15 23 42/.06)}
.card header{display:flex;justify-content:space-between;align-items:center;gap:.5rem;color:var(--muted);font-size:.85rem}
.kind{font-weight:600;color:var(--accent);text-transform:uppercase;letter-spacing:.04em;font-size:.75rem}.kind.sms{color:#047857}.kind.wa{color:#075e54}
.whatsapp .thread{background:#efeae2}.whatsapp .bubble{background:#d9fdd3}
.card h2{font-size:1.1rem;margin:.25rem 0 .5rem;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:0 0 .75rem;font-size:.9rem}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
iframe{display:block;width:100%;height:480px;border:1px solid var(--line);border-radius:8px;background:#fff;resize:vertical}
details{margin-top:.5rem;font-size:.9rem}summary{cursor:pointer;color:var(--muted)}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f8fafc;border-radius:8px;padding:.75rem}
.phone{max-width:340px;border:8px solid #1e293b;border-radius:28px;overflow:hidden;background:#fff}
.phone-bar{background:#f8fafc;border-bottom:1px solid var(--line);padding:.6rem .9rem;text-align:center}.phone-bar .number{display:block;font-weight:600}.phone-bar .sender{font-size:.75rem;color:var(--muted)}
.thread{padding:1rem .75rem 1.25rem;min-height:6rem}
.bubble{margin:0;max-width:90%;background:#e5e7eb;border-radius:18px 18px 18px 4px;padding:.6rem .85rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.95rem}
code{font-size:.85rem;overflow-wrap:anywhere}
@media (max-width:480px){main{padding:.5rem}iframe{height:420px}}`;

// Reloads when the newest message changes, so an open page shows new mail without losing scroll on every tick.
const POLL = `(() => {
  const latest = document.body.dataset.latest;
  setInterval(async () => {
    try {
      const r = await fetch("/api/messages?limit=1", { cache: "no-store" });
      const [m] = await r.json();
      if ((m ? m.id : "") !== latest) location.reload();
    } catch {}
  }, 2000);
})();`;

/** The whole inbox page, newest message first; `nonce` authorises the one polling script under the page's CSP. */
export function renderInboxPage(messages: InboxMessage[], info: PageInfo, nonce: string): string {
  const items = messages.map((m) => (m.kind === "email" ? emailCard(m) : smsCard(m))).join("\n");
  const count = `${messages.length} message${messages.length === 1 ? "" : "s"}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Dev inbox</title><style>${STYLE}</style>
<noscript><meta http-equiv="refresh" content="5"></noscript>
</head>
<body data-latest="${esc(messages[0]?.id ?? "")}"><main>
<header class="top"><h1>Dev inbox</h1><p>Emails, text messages and WhatsApp messages Keystep sent, newest first (${count}, kept in memory). Local only: nothing here left this machine.</p></header>
${items || emptyState(info)}
</main><script nonce="${esc(nonce)}">${POLL}</script></body></html>`;
}
