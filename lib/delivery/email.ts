import nodemailer from "nodemailer";
import type { DeliveryError, DeliveryResult, EmailMessage, EmailSender } from "./types";

export interface SmtpSenderOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered; `?requireTLS=true` insists) or `smtps://…:465` (implicit TLS). */
  url: string;
  /** `Acme <mfa@acme.com>` */
  from: string;
  timeoutMs?: number;
}

interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  auth?: { user: string; pass: string };
}

// Only options that make delivery safer are accepted. There is deliberately no way to turn off
// certificate checks: codes would then be readable by anyone on the path. A private CA is
// trusted with Node's NODE_EXTRA_CA_CERTS instead.
const KNOWN_PARAMS = new Set(["requireTLS"]);

/** Parses SMTP_URL, or returns why it is unusable (an unknown option is refused, not ignored: a typo must not downgrade TLS). */
export function parseSmtpUrl(raw: string): SmtpTarget | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "SMTP URL is not a valid URL";
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") return "SMTP URL must start with smtp:// or smtps://";
  if (!url.hostname) return "SMTP URL has no host";
  for (const key of url.searchParams.keys()) if (!KNOWN_PARAMS.has(key)) return `SMTP URL option "${key}" is not supported`;
  const requireTLS = url.searchParams.get("requireTLS");
  if (requireTLS !== null && requireTLS !== "true" && requireTLS !== "false") return "SMTP URL requireTLS must be true or false";
  const secure = url.protocol === "smtps:";
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    requireTLS: requireTLS === "true",
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
  };
}

interface SmtpError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
}

const fail = (error: DeliveryError, detail: string): DeliveryResult => ({ ok: false, error, detail });

// Node's TLS verification errors (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, …).
const TLS_FAILURE = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_/;

/**
 * Maps a nodemailer error to what an operator does about it. Details name the SMTP reply code and
 * command only: server replies can echo the recipient's address, and logs should not collect them.
 */
export function classifySmtpError(e: SmtpError): DeliveryResult {
  const at = e.command ? ` at ${e.command}` : "";
  if (e.code === "EAUTH" || e.code === "ENOAUTH") return fail("misconfigured", `SMTP authentication failed${e.responseCode ? ` (${e.responseCode})` : ""}`);
  if (e.code === "ETLS" || e.code === "EREQUIRETLS" || TLS_FAILURE.test(e.originalCode ?? "")) return fail("misconfigured", `SMTP TLS failed (${e.originalCode ?? e.code})`);
  if (e.code === "ETIMEDOUT") return fail("timeout", `SMTP server did not answer in time${at}`);
  // RFC 5321 §4.2.1: 5yz is a permanent refusal of this message; 4yz is transient (greylisting, full queue).
  if (e.responseCode && e.responseCode >= 500) return fail("rejected", `SMTP ${e.responseCode}${at}`);
  if (e.responseCode && e.responseCode >= 400) return fail("unavailable", `SMTP ${e.responseCode}${at} (temporary)`);
  return fail("unavailable", `SMTP server unreachable (${e.originalCode ?? e.code ?? "unknown error"})`);
}

/**
 * An EmailSender over SMTP with a pooled nodemailer transport (≈5 ms a send once warm instead of
 * ≈110 ms for a new connection and handshake). `send` never throws and settles within ≈timeoutMs.
 */
export function createSmtpSender(o: SmtpSenderOptions): EmailSender {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const target = parseSmtpUrl(o.url);
  if (typeof target === "string" || !o.from) {
    const detail = typeof target === "string" ? target : "EMAIL_FROM is empty";
    return { send: async () => fail("misconfigured", detail), close: async () => {} };
  }
  const transport = nodemailer.createTransport({
    ...target,
    pool: true,
    maxConnections: 3,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Message bodies carry codes: nodemailer must never log a transcript.
    logger: false,
    debug: false,
  });
  // A pooled connection can fail while idle; that must never become an unhandled 'error' event.
  transport.on("error", () => {});

  return {
    send: async (m) => (isSingleAddress(m.to) ? withDeadline(attempt(transport, o.from, m), timeoutMs) : fail("rejected", "recipient is not a single email address")),
    close: async () => transport.close(),
  };
}

// nodemailer reads `to` as an address list: "a@x.com, b@y.com" would send the same code to two
// mailboxes. One code goes to exactly one bare address.
const isSingleAddress = (to: string) => /^[^\s@,;:<>()"[\]\\]+@[^\s@,;:<>()"[\]\\]+$/.test(to);

type Transport = ReturnType<typeof nodemailer.createTransport>;

async function attempt(transport: Transport, from: string, m: EmailMessage): Promise<DeliveryResult> {
  try {
    // Content is always inline strings: never let a field be read as a local file or fetched URL.
    const info = await transport.sendMail({ from, to: m.to, subject: m.subject, html: m.html, text: m.text, disableFileAccess: true, disableUrlAccess: true });
    return { ok: true, id: info.messageId };
  } catch (e) {
    return classifySmtpError((e ?? {}) as SmtpError);
  }
}

// nodemailer's own timeouts cover each phase; this bounds the whole send, so a server that trickles
// bytes cannot hold a sign-in page open for several timeouts in a row.
async function withDeadline(p: Promise<DeliveryResult>, timeoutMs: number): Promise<DeliveryResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => resolve(fail("timeout", `no answer from the SMTP server in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
