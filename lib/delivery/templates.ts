/*
 * Pure renderers for the messages Keystep sends. Callers pass already-translated strings; every
 * interpolated value is escaped here. No remote trackers: no pixels, web fonts or external CSS —
 * the only remote resource an email may load is the logo the deploying team configured.
 */

export interface Brand {
  name: string;
  /** #rrggbb; anything else falls back to the default so it cannot inject CSS. */
  color: string;
  logoUrl?: string | null;
}

export interface CodeEmailStrings {
  subject: string;
  heading: string;
  intro: string;
  /** Visible label above the code, e.g. "Your code". */
  codeLabel?: string;
  expiry: string;
  ignore: string;
  footer: string;
}

export interface LinkEmailStrings {
  subject: string;
  heading: string;
  intro: string;
  button: string;
  /** Optional hint, e.g. about matching a number when the link is opened on another device. */
  number?: string;
  expiry: string;
  ignore: string;
  footer: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const DEFAULT_COLOR = "#4f46e5";
const INK = "#111827";
const MUTED = "#4b5563";
const RTL_LANGUAGES = new Set(["ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"]);

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
};

// WCAG 2.x relative luminance, so brand colours that are too light never carry text on white.
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

interface Palette {
  accent: string;
  /** The brand colour where it is readable on white (AA, 4.5:1), otherwise ink. */
  accentText: string;
  /** Text colour for a button filled with the accent. */
  onAccent: string;
}

function palette(color: string): Palette {
  const accent = /^#[0-9a-f]{6}$/i.test(color) ? color.toLowerCase() : DEFAULT_COLOR;
  const l = luminance(accent);
  return { accent, accentText: contrast(l, 1) >= 4.5 ? accent : INK, onAccent: contrast(l, 1) >= contrast(l, luminance(INK)) ? "#ffffff" : INK };
}

const langDir = (lang: string) => (RTL_LANGUAGES.has(lang.toLowerCase().split("-")[0] ?? "") ? "rtl" : "ltr");

const p = (text: string, style: string) => `<p style="margin:0;${style}">${escapeHtml(text)}</p>`;

/** The shared table layout: inline styles only, so it renders the same in Outlook, Gmail and Apple Mail. */
function shell(o: { brand: Brand; lang: string; title: string; content: string; footer: string }): string {
  const c = palette(o.brand.color);
  const logo =
    o.brand.logoUrl && isHttpUrl(o.brand.logoUrl) ? `<img src="${escapeHtml(o.brand.logoUrl)}" alt="" height="32" style="display:block;height:32px;width:auto;border:0;margin:0 0 16px">` : "";
  return `<!doctype html>
<html lang="${escapeHtml(o.lang)}" dir="${langDir(o.lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><title>${escapeHtml(o.title)}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;color:${INK};font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:480px;background:#ffffff;border-radius:12px;border-top:4px solid ${c.accent}">
<tr><td style="padding:32px 28px">
${logo}${p(o.brand.name, `padding:0 0 8px;font-size:14px;font-weight:600;color:${c.accentText}`)}
${o.content}
</td></tr></table>
${p(o.footer, "padding:16px 0 0;font-size:12px;color:#6b7280")}
</td></tr></table>
</body>
</html>`;
}

const h1 = (text: string) => `<h1 style="margin:0;padding:0 0 16px;font-size:22px;line-height:1.3;color:${INK}">${escapeHtml(text)}</h1>`;

/** A branded, accessible one-time-code email: HTML and a plain-text part with the same content. */
export function renderCodeEmail(o: { brand: Brand; strings: CodeEmailStrings; code: string; lang: string }): RenderedEmail {
  const { brand, strings: s, code } = o;
  const label = s.codeLabel ? p(s.codeLabel, `padding:0 0 4px;font-size:14px;color:${MUTED}`) : "";
  // Monospace and spaced so 0/O and 1/l are told apart; user-select:all copies the code in one tap.
  const codeBlock = `<p style="margin:0;padding:0 0 24px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:32px;line-height:1.2;font-weight:700;letter-spacing:6px;color:${INK};-webkit-user-select:all;user-select:all">${escapeHtml(code)}</p>`;
  const content = [
    h1(s.heading),
    p(s.intro, `padding:0 0 24px;font-size:16px;line-height:1.5;color:#374151`),
    label + codeBlock,
    p(s.expiry, `padding:0 0 8px;font-size:14px;line-height:1.5;color:${MUTED}`),
    p(s.ignore, `font-size:14px;line-height:1.5;color:${MUTED}`),
  ].join("\n");
  const text = [brand.name, "", s.heading, "", s.intro, "", ...(s.codeLabel ? [s.codeLabel] : []), `    ${code}`, "", s.expiry, s.ignore, "", s.footer].join("\n");
  return { subject: s.subject, html: shell({ brand, lang: o.lang, title: s.subject, content, footer: s.footer }), text };
}

/** A branded sign-in-link email: a button, and the raw URL in both parts for clients that hide buttons. Throws on a non-http(s) URL. */
export function renderLinkEmail(o: { brand: Brand; strings: LinkEmailStrings; url: string; lang: string }): RenderedEmail {
  const { brand, strings: s, url } = o;
  // A javascript: or data: link in an email is never legitimate; refuse rather than escape it.
  if (!isHttpUrl(url)) throw new Error("sign-in link must be an http(s) URL");
  const c = palette(brand.color);
  const button = `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px"><tr><td style="border-radius:8px;background:${c.accent}"><a href="${escapeHtml(url)}" style="display:inline-block;padding:12px 24px;font-size:16px;font-weight:600;color:${c.onAccent};text-decoration:none;border-radius:8px">${escapeHtml(s.button)}</a></td></tr></table>`;
  const content = [
    h1(s.heading),
    p(s.intro, `padding:0 0 24px;font-size:16px;line-height:1.5;color:#374151`),
    button,
    s.number ? p(s.number, `padding:0 0 8px;font-size:14px;line-height:1.5;color:${MUTED}`) : "",
    p(s.expiry, `padding:0 0 8px;font-size:14px;line-height:1.5;color:${MUTED}`),
    p(s.ignore, `padding:0 0 16px;font-size:14px;line-height:1.5;color:${MUTED}`),
    `<p style="margin:0;font-size:12px;line-height:1.5;color:#6b7280;word-break:break-all">${escapeHtml(url)}</p>`,
  ].join("\n");
  const text = [brand.name, "", s.heading, "", s.intro, "", url, "", ...(s.number ? [s.number] : []), s.expiry, s.ignore, "", s.footer].join("\n");
  return { subject: s.subject, html: shell({ brand, lang: o.lang, title: s.subject, content, footer: s.footer }), text };
}

/**
 * The host for the WebOTP / origin-bound one-time code line: the bare hostname, no scheme and no
 * port. The format (wicg.github.io/sms-one-time-codes) binds the code to ("https", host, default
 * port), and Chromium's parser only accepts [a-zA-Z0-9.-] before the space, so "host:8443" would
 * make the whole line unrecognised. Accepts a URL or a host[:port] and strips what does not belong.
 */
export function webOtpHost(hostOrUrl: string): string {
  const raw = hostOrUrl.trim();
  let host: string;
  try {
    host = new URL(raw.includes("://") ? raw : `https://${raw}`).hostname;
  } catch {
    host = "";
  }
  if (!/^[a-z0-9.-]+$/i.test(host)) throw new Error(`"${hostOrUrl}" is not a host usable in an SMS one-time code line`);
  return host;
}

/** An SMS body whose last line is the origin-bound `@host #code`, so browsers offer the code only on that site. */
export function smsBody(o: { text: string; host: string; code: string }): string {
  // The code is a whitespace-free token in the format; '#' is excluded by Chromium's parser.
  if (!/^[^\s#]+$/.test(o.code)) throw new Error("SMS code must be a single token without whitespace or #");
  const text = o.text.replace(/\r\n?/g, "\n").trim();
  const line = `@${webOtpHost(o.host)} #${o.code}`;
  return text ? `${text}\n\n${line}` : line;
}

/** `ada@example.com` → `a•••@example.com`: enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  return `${email[0]}•••${email.slice(at)}`;
}

/** `+447700900123` → `•••• •• 0123` (no-break spaces keep it on one line); only the last 4 digits show. */
export function maskPhone(e164: string): string {
  return `••••\u00a0••\u00a0${e164.replace(/\D/g, "").slice(-4)}`;
}
