/** Pure renderers for messages; callers pass already-translated strings. */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export interface Brand {
  name: string;
  color: string;
  logoUrl: string | null;
}

export interface CodeEmailStrings {
  subject: string;
  heading: string;
  intro: string;
  expiry: string;
  ignore: string;
  footer: string;
}

/**
 * A branded code email with HTML and text parts. No remote trackers: no pixels, no web fonts,
 * no external CSS; the only remote resource is the logo the deploying team configured.
 */
export function renderCodeEmail(o: { brand: Brand; strings: CodeEmailStrings; code: string; lang: string }): { subject: string; html: string; text: string } {
  const { brand, strings: s, code } = o;
  const color = /^#[0-9a-f]{6}$/i.test(brand.color) ? brand.color : "#4f46e5";
  const logo = brand.logoUrl ? `<img src="${esc(brand.logoUrl)}" alt="" height="32" style="display:block;margin:0 0 16px">` : "";
  const html = `<!doctype html><html lang="${esc(o.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(s.subject)}</title></head>
<body style="margin:0;padding:0;background:#f5f6fa;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111827">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f6fa;padding:24px 0"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:480px;background:#ffffff;border-radius:12px;border-top:4px solid ${color};padding:32px">
<tr><td>${logo}<p style="margin:0 0 8px;font-size:14px;font-weight:600;color:${color}">${esc(brand.name)}</p>
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3">${esc(s.heading)}</h1>
<p style="margin:0 0 24px;font-size:16px;line-height:1.5;color:#374151">${esc(s.intro)}</p>
<p style="margin:0 0 24px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:32px;font-weight:700;letter-spacing:8px;color:#111827">${esc(code)}</p>
<p style="margin:0 0 8px;font-size:14px;color:#4b5563">${esc(s.expiry)}</p>
<p style="margin:0;font-size:14px;color:#4b5563">${esc(s.ignore)}</p>
</td></tr></table>
<p style="margin:16px 0 0;font-size:12px;color:#6b7280">${esc(s.footer)}</p>
</td></tr></table></body></html>`;
  const text = [brand.name, "", s.heading, "", s.intro, "", `    ${code}`, "", s.expiry, s.ignore, "", s.footer].join("\n");
  return { subject: s.subject, html, text };
}

/**
 * An SMS body ending with the WebOTP origin-bound line (`@host #code`), so Chrome and Android
 * can offer the code to this origin only. The host includes a non-default port.
 */
export function smsBody(o: { text: string; host: string; code: string }): string {
  return `${o.text}\n\n@${o.host} #${o.code}`;
}

/** `ada@example.com` → `a•••@example.com`: enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  return `${email[0]}•••${email.slice(at)}`;
}

/** `+447700900123` → `•••• •• 0123`. */
export function maskPhone(e164: string): string {
  // No-break spaces keep the masked number on one line.
  return `••••\u00a0••\u00a0${e164.replace(/\D/g, "").slice(-4)}`;
}

export interface LinkEmailStrings {
  subject: string;
  heading: string;
  intro: string;
  button: string;
  number: string;
  expiry: string;
  ignore: string;
  footer: string;
}

/** A branded sign-in-link email: a button, the raw URL for text clients, no trackers. */
export function renderLinkEmail(o: { brand: Brand; strings: LinkEmailStrings; url: string; lang: string }): { subject: string; html: string; text: string } {
  const { brand, strings: s, url } = o;
  const color = /^#[0-9a-f]{6}$/i.test(brand.color) ? brand.color : "#4f46e5";
  const logo = brand.logoUrl ? `<img src="${esc(brand.logoUrl)}" alt="" height="32" style="display:block;margin:0 0 16px">` : "";
  const html = `<!doctype html><html lang="${esc(o.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(s.subject)}</title></head>
<body style="margin:0;padding:0;background:#f5f6fa;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111827">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f6fa;padding:24px 0"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:480px;background:#ffffff;border-radius:12px;border-top:4px solid ${color};padding:32px">
<tr><td>${logo}<p style="margin:0 0 8px;font-size:14px;font-weight:600;color:${color}">${esc(brand.name)}</p>
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3">${esc(s.heading)}</h1>
<p style="margin:0 0 24px;font-size:16px;line-height:1.5;color:#374151">${esc(s.intro)}</p>
<p style="margin:0 0 24px"><a href="${esc(url)}" style="display:inline-block;background:${color};color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:8px">${esc(s.button)}</a></p>
<p style="margin:0 0 8px;font-size:14px;color:#4b5563">${esc(s.number)}</p>
<p style="margin:0 0 8px;font-size:14px;color:#4b5563">${esc(s.expiry)}</p>
<p style="margin:0 0 16px;font-size:14px;color:#4b5563">${esc(s.ignore)}</p>
<p style="margin:0;font-size:12px;color:#6b7280;word-break:break-all">${esc(url)}</p>
</td></tr></table>
<p style="margin:16px 0 0;font-size:12px;color:#6b7280">${esc(s.footer)}</p>
</td></tr></table></body></html>`;
  const text = [brand.name, "", s.heading, "", s.intro, "", url, "", s.number, s.expiry, s.ignore, "", s.footer].join("\n");
  return { subject: s.subject, html, text };
}
