/**
 * The dev inbox: a real SMTP server (smtp-server) and SMS and WhatsApp receivers (Keystep's signed webhook, and a
 * local stand-in for Twilio's Messages API) that keep what they receive and show it on a page.
 * Keystep sends exactly as in production; only the far end is local. Used by the demo and tests.
 */
import http from "node:http";
import crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { simpleParser } from "mailparser";
// signature.ts is the one delivery module without "server-only", so it runs here under plain tsx.
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from "../../lib/delivery/signature";
import { renderInboxPage } from "./page";
import { createStore, isAddressedTo, type InboxMessage } from "./store";
import { handleTwilioMessage } from "./twilio";

export type { InboxMessage } from "./store";

export interface DevInboxOptions {
  smtpPort: number;
  httpPort: number;
  /** 127.0.0.1 unless told otherwise: the inbox shows live sign-in codes. */
  host?: string;
  webhookSecret: string;
  twilio?: { accountSid: string; authToken: string };
}

export interface DevInbox {
  /** smtp://127.0.0.1:PORT */
  smtpUrl: string;
  /** http://127.0.0.1:HTTPPORT */
  url: string;
  webhookUrl: string;
  twilioBaseUrl: string;
  messages(): InboxMessage[];
  waitFor(pred: (m: InboxMessage) => boolean, timeoutMs?: number): Promise<InboxMessage>;
  /** Makes the SMTP server refuse every message with 554 (to exercise delivery failures). */
  setSmtpDown(down: boolean): void;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, "body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: http.ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...extra });
  res.end(body);
}

const json = (res: http.ServerResponse, status: number, value: unknown) => send(res, status, "application/json; charset=utf-8", JSON.stringify(value));

/** Starts the SMTP sink and the HTTP side (page, JSON API, SMS webhook, fake Twilio); port 0 picks a free port. */
export async function startDevInbox(o: DevInboxOptions): Promise<DevInbox> {
  // verifyWebhookSignature refuses an empty secret anyway; failing here says why at startup.
  if (!o.webhookSecret) throw new Error("startDevInbox: webhookSecret is required (set SMS_WEBHOOK_SECRET)");
  const host = o.host ?? "127.0.0.1";
  const store = createStore(200);
  let smtpDown = false;

  const smtp = new SMTPServer({
    authOptional: true,
    // Accept any credentials so an SMTP_URL with user:pass works against the inbox too.
    allowInsecureAuth: true,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? "dev" }),
    // No TLS on loopback; smtp-server would otherwise offer STARTTLS with a self-signed certificate that Keystep (rightly) refuses.
    disabledCommands: ["STARTTLS"],
    banner: "Keystep dev inbox",
    size: 5 * 1024 * 1024,
    logger: false,
    closeTimeout: 500,
    onData: (stream, session, cb) => void receiveMail(stream, session).then(() => cb(), cb),
  });

  async function receiveMail(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    if (smtpDown) {
      stream.resume();
      await new Promise((r) => stream.once("end", r));
      throw Object.assign(new Error("Service unavailable (dev inbox set down)"), { responseCode: 554 });
    }
    const mail = await simpleParser(stream);
    const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(", ");
    store.add({ kind: "email", via: "smtp", to, from: mail.from?.text, subject: mail.subject, text: mail.text ?? "", html: typeof mail.html === "string" ? mail.html : undefined });
  }

  await new Promise<void>((resolve, reject) => {
    smtp.server.once("error", reject);
    smtp.listen(o.smtpPort, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  function receiveWebhook(req: http.IncomingMessage, raw: string) {
    const ok = verifyWebhookSignature({
      secret: o.webhookSecret,
      timestamp: req.headers[TIMESTAMP_HEADER.toLowerCase()] as string | undefined,
      signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined,
      body: raw,
    });
    if (!ok) throw new HttpError(401, "bad or stale signature");
    let m: { to?: unknown; body?: unknown; locale?: unknown; flowId?: unknown; channel?: unknown };
    try {
      m = JSON.parse(raw) as typeof m;
    } catch {
      throw new HttpError(400, "body is not JSON");
    }
    if (typeof m.to !== "string" || typeof m.body !== "string") throw new HttpError(400, "to and body must be strings");
    // `channel` is "sms" or "whatsapp"; senders from before the field existed sent SMS only.
    if (m.channel !== undefined && m.channel !== "sms" && m.channel !== "whatsapp") throw new HttpError(400, 'channel must be "sms" or "whatsapp"');
    store.add({
      kind: m.channel === "whatsapp" ? "whatsapp" : "sms",
      via: "webhook",
      to: m.to,
      text: m.body,
      locale: typeof m.locale === "string" ? m.locale : undefined,
      flowId: typeof m.flowId === "string" ? m.flowId : undefined,
    });
  }

  function listMessages(url: URL): InboxMessage[] {
    const to = url.searchParams.get("to");
    const kind = url.searchParams.get("kind");
    const limit = Number(url.searchParams.get("limit")) || Infinity;
    return store
      .all()
      .filter((m) => (!to || isAddressedTo(m, to)) && (!kind || m.kind === kind))
      .slice(0, limit);
  }

  let httpPort = 0;
  // The inbox shows live codes: a page on another site that DNS-rebinds its name to 127.0.0.1 must not read them.
  const hostAllowed = (h: string | undefined) => !LOOPBACK.has(host) || [`127.0.0.1:${httpPort}`, `localhost:${httpPort}`, `[::1]:${httpPort}`].includes(h ?? "");

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    if (!hostAllowed(req.headers.host)) throw new HttpError(403, "unexpected Host header");
    const url = new URL(req.url ?? "/", "http://inbox.invalid");
    const twilio = url.pathname.match(/^\/twilio\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/);
    if (req.method === "GET" && url.pathname === "/") {
      const nonce = crypto.randomBytes(16).toString("base64");
      const csp = `script-src 'nonce-${nonce}'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
      return send(res, 200, "text/html; charset=utf-8", renderInboxPage(store.all(), { smtpUrl, webhookUrl, twilioBaseUrl }, nonce), {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
      });
    }
    if (req.method === "GET" && url.pathname === "/api/messages") return json(res, 200, listMessages(url));
    if (req.method === "POST" && url.pathname === "/sms") {
      receiveWebhook(req, await readBody(req));
      return json(res, 200, { ok: true });
    }
    if (req.method === "POST" && twilio) {
      const out = handleTwilioMessage({
        creds: o.twilio,
        pathSid: decodeURIComponent(twilio[1]!),
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        rawBody: await readBody(req),
      });
      if (out.sms) store.add({ kind: out.sms.channel, via: "twilio", to: out.sms.to, from: out.sms.from, text: out.sms.text });
      return json(res, out.status, out.body);
    }
    throw new HttpError(404, "not found");
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) json(res, status, { error: e instanceof HttpError ? e.message : "internal error" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.httpPort, host, () => resolve());
  });
  httpPort = (server.address() as AddressInfo).port;

  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${httpPort}`;
  const smtpUrl = `smtp://${urlHost}:${smtpPort}`;
  const webhookUrl = `${url}/sms`;
  const twilioBaseUrl = `${url}/twilio`;

  return {
    smtpUrl,
    url,
    webhookUrl,
    twilioBaseUrl,
    messages: () => store.all(),
    waitFor: (pred, timeoutMs) => store.waitFor(pred, timeoutMs),
    setSmtpDown: (down) => void (smtpDown = down),
    async close() {
      // Keep-alive connections (fetch) and pooled SMTP connections would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
