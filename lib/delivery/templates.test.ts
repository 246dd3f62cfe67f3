import { describe, expect, it } from "vitest";
import { escapeHtml, maskEmail, maskPhone, renderCodeEmail, renderLinkEmail, smsBody, webOtpHost, type Brand } from "./templates";

const BRAND: Brand = { name: "Acme", color: "#0f766e", logoUrl: null };
const CODE_STRINGS = {
  subject: "123456 is your Acme code",
  heading: "Your sign-in code",
  intro: "Enter this code to finish signing in.",
  codeLabel: "Your code",
  expiry: "It expires in 10 minutes.",
  ignore: "Didn't try to sign in? Ignore this email.",
  footer: "Sent by Acme",
};
const LINK_STRINGS = {
  subject: "Your Acme sign-in link",
  heading: "Confirm it's you",
  intro: "Open this link to finish signing in.",
  button: "Sign in",
  expiry: "It expires in 15 minutes.",
  ignore: "Didn't try to sign in? Ignore this email.",
  footer: "Sent by Acme",
};
const LINK = "https://mfa.example.com/magic/abc?t=x&y=1";

const code = (over: { brand?: Partial<Brand>; strings?: Partial<typeof CODE_STRINGS>; lang?: string; code?: string } = {}) =>
  renderCodeEmail({ brand: { ...BRAND, ...over.brand }, strings: { ...CODE_STRINGS, ...over.strings }, code: over.code ?? "123456", lang: over.lang ?? "en" });
const link = (over: { brand?: Partial<Brand>; url?: string } = {}) => renderLinkEmail({ brand: { ...BRAND, ...over.brand }, strings: LINK_STRINGS, url: over.url ?? LINK, lang: "en" });

/** Every absolute URL an email's HTML would make a mail client load or link to. */
const urls = (html: string) => html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];

// Chromium's parser for the origin-bound line (content/browser/sms/sms_parser.cc).
const CHROMIUM_OTP = /(?:^|\s)@([a-zA-Z0-9.-]+) #([^#\s]+)/;

describe("code email", () => {
  it("threat: HTML injection — a brand name or string with <script> is escaped everywhere", () => {
    const mail = code({ brand: { name: "<script>alert(1)</script>" }, strings: { intro: '"><img src=x onerror=alert(1)>' }, lang: 'en" onload="x' });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(mail.html).not.toMatch(/<img/);
    expect(mail.html).toContain('lang="en&quot; onload=&quot;x"');
  });

  it("threat: trackers — no images, remote CSS, fonts or URLs unless a logo is configured", () => {
    const { html } = code();
    expect(html).not.toMatch(/<img|<link|@import|url\(|<script/i);
    expect(urls(html)).toEqual([]);
  });

  it("the configured logo is the only image and the only remote URL", () => {
    const { html } = code({ brand: { logoUrl: "https://cdn.acme.test/logo.png" } });
    expect(html.match(/<img/g)).toHaveLength(1);
    expect(urls(html)).toEqual(["https://cdn.acme.test/logo.png"]);
  });

  it("threat: a javascript: logo or a CSS-injecting colour is dropped, not rendered", () => {
    const { html } = code({ brand: { logoUrl: "javascript:alert(1)", color: "red;background:url(https://evil.test/p.gif)" } });
    expect(html).not.toMatch(/<img|javascript:|evil\.test/);
    expect(html).toContain("#4f46e5");
  });

  it("is accessible: lang and dir, layout tables marked presentational, a labelled large monospace code", () => {
    const { html } = code();
    expect(html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr">/);
    expect(html.match(/<table/g)?.length).toBe(html.match(/<table role="presentation"/g)?.length);
    expect(html).toMatch(/Your code<\/p>\n?<p style="[^"]*monospace[^"]*font-size:32px[^"]*">123456<\/p>/);
    expect(code({ lang: "ar" }).html).toContain('dir="rtl"');
  });

  it("a brand colour too light for text on white is kept for the border but not for text", () => {
    const { html } = code({ brand: { color: "#fde047" } });
    expect(html).toContain("border-top:4px solid #fde047");
    expect(html).not.toMatch(/color:#fde047/);
  });

  it("has a plain-text part with the same content", () => {
    const mail = code();
    expect(mail.subject).toBe(CODE_STRINGS.subject);
    for (const s of [BRAND.name, CODE_STRINGS.heading, CODE_STRINGS.intro, CODE_STRINGS.codeLabel, "123456", CODE_STRINGS.expiry, CODE_STRINGS.ignore, CODE_STRINGS.footer]) {
      expect(mail.text).toContain(s);
      expect(mail.html).toContain(escapeHtml(s));
    }
    expect(mail.text).not.toMatch(/[<>]/);
  });
});

describe("sign-in link email", () => {
  it("has a button to the link and the raw URL in both parts, and no other URL", () => {
    const { html, text } = link();
    expect(html).toContain(`<a href="${escapeHtml(LINK)}"`);
    expect(html).toContain(">Sign in</a>");
    expect(text).toContain(LINK);
    expect(new Set(urls(html.replaceAll("&amp;", "&")))).toEqual(new Set([LINK]));
  });

  it("threat: a javascript: or data: link is refused, not escaped into an href", () => {
    expect(() => link({ url: "javascript:alert(1)" })).toThrow(/http/);
    expect(() => link({ url: "data:text/html,<script>x</script>" })).toThrow(/http/);
  });

  it("picks readable button text for light and dark brand colours", () => {
    expect(link({ brand: { color: "#1e3a8a" } }).html).toMatch(/color:#ffffff;text-decoration:none/);
    expect(link({ brand: { color: "#facc15" } }).html).toMatch(/color:#111827;text-decoration:none/);
  });
});

describe("SMS body and the WebOTP origin-bound line", () => {
  it("ends with @host #code as the last line, after a blank line", () => {
    const body = smsBody({ text: "123456 is your Acme code.", host: "mfa.example.com", code: "123456" });
    expect(body).toBe("123456 is your Acme code.\n\n@mfa.example.com #123456");
    const lines = body.split("\n");
    expect(lines.at(-1)).toBe("@mfa.example.com #123456");
    expect(lines.at(-1)!.match(CHROMIUM_OTP)?.slice(1)).toEqual(["mfa.example.com", "123456"]);
  });

  it("uses the bare hostname: scheme and port are stripped (the format has no port)", () => {
    expect(webOtpHost("mfa.example.com:8443")).toBe("mfa.example.com");
    expect(webOtpHost("https://MFA.Example.com:443/path")).toBe("mfa.example.com");
    expect(webOtpHost("bücher.example")).toBe("xn--bcher-kva.example");
    expect(smsBody({ text: "Code", host: "localhost:3000", code: "1" }).split("\n").at(-1)).toBe("@localhost #1");
  });

  it("threat: trailing text cannot push the origin-bound line off the last line", () => {
    expect(smsBody({ text: "Code\r\n\n  \n", host: "a.example", code: "9" })).toBe("Code\n\n@a.example #9");
    expect(() => smsBody({ text: "x", host: "a.example", code: "12 34" })).toThrow();
    expect(() => smsBody({ text: "x", host: "a.example bad #1", code: "1" })).toThrow();
  });

  it("stays within one 160-character GSM segment for a typical message", () => {
    const body = smsBody({ text: "123456 is your Acme sign-in code. It expires in 10 minutes. Never share it.", host: "mfa.example.com", code: "123456" });
    expect(body.length).toBeLessThanOrEqual(160);
  });
});

describe("masking destinations", () => {
  it("shows the first letter and the domain of an email", () => {
    expect(maskEmail("ada@example.com")).toBe("a•••@example.com");
    expect(maskEmail("not-an-email")).toBe("•••");
  });

  it("shows only the last 4 digits of a phone number", () => {
    expect(maskPhone("+447700900123")).toBe("••••\u00a0••\u00a00123");
    expect(maskPhone("+447700900123")).not.toMatch(/7700|900/);
  });
});
