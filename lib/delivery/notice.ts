import { escapeHtml as esc, type Brand } from "./templates";

/** A plain branded notice (security events): heading, one paragraph, no links or trackers. */
export function renderNoticeEmail(o: { brand: Brand; strings: { subject: string; heading: string; body: string; footer: string }; lang: string }): { subject: string; html: string; text: string } {
  const { brand, strings: s } = o;
  const color = /^#[0-9a-f]{6}$/i.test(brand.color) ? brand.color : "#4f46e5";
  const html = `<!doctype html><html lang="${esc(o.lang)}"><head><meta charset="utf-8"><title>${esc(s.subject)}</title></head>
<body style="margin:0;padding:24px;background:#f5f6fa;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111827">
<div style="max-width:480px;margin:0 auto;background:#ffffff;border-radius:12px;border-top:4px solid ${color};padding:32px">
<p style="margin:0 0 8px;font-size:14px;font-weight:600;color:${color}">${esc(brand.name)}</p>
<h1 style="margin:0 0 16px;font-size:22px">${esc(s.heading)}</h1>
<p style="margin:0;font-size:16px;line-height:1.5;color:#374151">${esc(s.body)}</p></div>
<p style="text-align:center;font-size:12px;color:#6b7280">${esc(s.footer)}</p></body></html>`;
  return { subject: s.subject, html, text: [brand.name, "", s.heading, "", s.body, "", s.footer].join("\n") };
}
