/**
 * The dev inbox: a real SMTP server (smtp-server) and SMS receivers (Keystep's signed webhook,
 * and a local fake of Twilio's Messages API) that keep what they receive and show it on a page.
 * Keystep sends exactly as in production; only the far end is local. Used by the demo and tests.
 */
import http from "node:http";
import crypto from "node:crypto";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { verifyWebhookSignature } from "../../lib/delivery/signature";

export interface DevInboxOptions {
  smtpPort: number;
  httpPort: number;
  host?: string;
  webhookSecret: string;
  twilio?: { accountSid: string; authToken: string };
}

export interface InboxMessage {
  id: string;
  kind: "email" | "sms";
  via: "smtp" | "webhook" | "twilio";
  to: string;
  from?: string;
  subject?: string;
  text: string;
  html?: string;
  receivedAt: number;
}

export interface DevInbox {
  smtpUrl: string;
  url: string;
  webhookUrl: string;
  twilioBaseUrl: string;
  messages(): InboxMessage[];
  waitFor(pred: (m: InboxMessage) => boolean, timeoutMs?: number): Promise<InboxMessage>;
  /** Makes the SMTP server refuse every message (to test delivery failures). */
  setSmtpDown(down: boolean): void;
  close(): Promise<void>;
}

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export async function startDevInbox(o: DevInboxOptions): Promise<DevInbox> {
  const host = o.host ?? "127.0.0.1";
  const messages: InboxMessage[] = [];
  const waiters = new Set<{ pred: (m: InboxMessage) => boolean; resolve: (m: InboxMessage) => void }>();
  let smtpDown = false;

  function keep(m: Omit<InboxMessage, "id" | "receivedAt">) {
    const msg = { ...m, id: crypto.randomUUID(), receivedAt: Date.now() };
    messages.unshift(msg);
    messages.length = Math.min(messages.length, 200);
    for (const w of waiters) if (w.pred(msg)) (waiters.delete(w), w.resolve(msg));
  }

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    banner: "Keystep dev inbox",
    onData(stream, _session, callback) {
      if (smtpDown) {
        stream.resume();
        return callback(Object.assign(new Error("Service unavailable (dev inbox set down)"), { responseCode: 554 }));
      }
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(", ") : (mail.to?.text ?? "");
          keep({ kind: "email", via: "smtp", to: to.toLowerCase(), from: mail.from?.text, subject: mail.subject, text: mail.text ?? "", html: typeof mail.html === "string" ? mail.html : undefined });
          callback();
        })
        .catch((e: Error) => callback(e));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(o.smtpPort, host, resolve));
  const smtpPort = (smtp.server.address() as { port: number }).port;

  async function body(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function json(res: http.ServerResponse, status: number, value: unknown) {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(value));
  }

  function page(): string {
    const items = messages
      .map((m) =>
        m.kind === "email"
          ? `<article class="mail"><header><strong>${esc(m.subject)}</strong><span>to ${esc(m.to)} · ${new Date(m.receivedAt).toLocaleTimeString()}</span></header>
<iframe sandbox title="${esc(m.subject)}" srcdoc="${esc(m.html ?? `<pre>${esc(m.text)}</pre>`)}"></iframe></article>`
          : `<article class="sms"><header><strong>SMS to ${esc(m.to)}</strong><span>${esc(m.via)} · ${new Date(m.receivedAt).toLocaleTimeString()}</span></header><p class="bubble">${esc(m.text).replace(/\n/g, "<br>")}</p></article>`,
      )
      .join("");
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="3"><title>Dev inbox</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f1f5f9;color:#0f172a}main{max-width:720px;margin:0 auto;padding:1rem}h1{font-size:1.4rem}
article{background:#fff;border-radius:10px;margin:0 0 1rem;padding:1rem;box-shadow:0 1px 2px #0002}header{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap;margin-bottom:.5rem}header span{color:#64748b;font-size:.85rem}
iframe{width:100%;height:420px;border:1px solid #e2e8f0;border-radius:8px}.bubble{background:#dcfce7;border-radius:14px;padding:.7rem 1rem;max-width:24rem;margin:0}</style></head>
<body><main><h1>Dev inbox</h1><p>Emails and text messages Keystep sent in this demo, newest first. This page refreshes itself.</p>${items || "<p>Nothing yet.</p>"}</main></body></html>`;
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://${host}`);
      if (req.method === "GET" && url.pathname === "/") {
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        return res.end(page());
      }
      if (req.method === "GET" && url.pathname === "/api/messages") {
        const to = url.searchParams.get("to")?.toLowerCase();
        return json(res, 200, to ? messages.filter((m) => m.to === to) : messages);
      }
      if (req.method === "POST" && url.pathname === "/sms") {
        const raw = await body(req);
        const ok = verifyWebhookSignature({ secret: o.webhookSecret, timestamp: req.headers["x-keystep-timestamp"] as string, signature: req.headers["x-keystep-signature"] as string, body: raw });
        if (!ok) return json(res, 401, { error: "bad signature" });
        const m = JSON.parse(raw) as { to: string; body: string };
        keep({ kind: "sms", via: "webhook", to: m.to, text: m.body });
        return json(res, 200, { ok: true });
      }
      const twilio = url.pathname.match(/^\/twilio\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/);
      if (req.method === "POST" && twilio) {
        const expected = o.twilio ? `Basic ${Buffer.from(`${o.twilio.accountSid}:${o.twilio.authToken}`).toString("base64")}` : null;
        if (!expected || req.headers.authorization !== expected || twilio[1] !== o.twilio?.accountSid) return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
        const form = new URLSearchParams(await body(req));
        if (!form.get("To") || !form.get("Body") || !(form.get("From") || form.get("MessagingServiceSid"))) return json(res, 400, { code: 21604, message: "A 'To', 'Body' and 'From' or 'MessagingServiceSid' are required.", status: 400 });
        keep({ kind: "sms", via: "twilio", to: form.get("To")!, from: form.get("From") ?? undefined, text: form.get("Body")! });
        return json(res, 201, { sid: `SM${crypto.randomBytes(16).toString("hex")}`, status: "queued" });
      }
      json(res, 404, { error: "not found" });
    } catch (e) {
      json(res, 400, { error: (e as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(o.httpPort, host, resolve));
  const httpPort = (server.address() as { port: number }).port;
  const url = `http://${host}:${httpPort}`;

  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    url,
    webhookUrl: `${url}/sms`,
    twilioBaseUrl: `${url}/twilio`,
    messages: () => [...messages],
    setSmtpDown: (down) => void (smtpDown = down),
    waitFor(pred, timeoutMs = 10_000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.add(w);
        setTimeout(() => waiters.delete(w) && reject(new Error("no matching message arrived")), timeoutMs);
      });
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
