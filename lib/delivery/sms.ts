import "server-only";
import { signWebhook } from "./signature";
import type { DeliveryResult, SmsMessage, SmsSender } from "./types";

async function post(url: string, init: RequestInit, timeoutMs: number): Promise<Response | DeliveryResult> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  } catch (e) {
    const name = (e as Error).name;
    return name === "TimeoutError" || name === "AbortError"
      ? { ok: false, error: "timeout", detail: `no answer in ${timeoutMs} ms` }
      : { ok: false, error: "unavailable", detail: (e as Error).message };
  }
}

function statusError(status: number, detail: string): DeliveryResult {
  if (status === 401 || status === 403) return { ok: false, error: "misconfigured", detail };
  if (status >= 400 && status < 500) return { ok: false, error: "rejected", detail };
  return { ok: false, error: "unavailable", detail };
}

/** Twilio's Messages REST API. `baseUrl` is overridable so tests can run a local fake. */
export function createTwilioSender(o: { accountSid: string; authToken: string; from?: string | null; messagingServiceSid?: string | null; baseUrl?: string; timeoutMs?: number }): SmsSender {
  const url = `${(o.baseUrl ?? "https://api.twilio.com").replace(/\/$/, "")}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString("base64")}`;
  return {
    async send(m: SmsMessage): Promise<DeliveryResult> {
      const form = new URLSearchParams({ To: m.to, Body: m.body });
      if (o.messagingServiceSid) form.set("MessagingServiceSid", o.messagingServiceSid);
      else if (o.from) form.set("From", o.from);
      const r = await post(url, { method: "POST", headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" }, body: form }, o.timeoutMs ?? 10_000);
      if (!(r instanceof Response)) return r;
      const json = (await r.json().catch(() => ({}))) as { sid?: string; message?: string; code?: number };
      if (r.ok) return { ok: true, id: json.sid };
      return statusError(r.status, `Twilio ${r.status}${json.code ? ` (${json.code})` : ""}: ${json.message ?? "error"}`);
    },
  };
}

/**
 * A signed JSON POST for teams with their own SMS gateway. Receivers check `X-Keystep-Signature`
 * (HMAC-SHA256 over `${timestamp}.${body}`) and refuse stale `X-Keystep-Timestamp`s.
 */
export function createWebhookSender(o: { url: string; secret: string; timeoutMs?: number }): SmsSender {
  return {
    async send(m: SmsMessage): Promise<DeliveryResult> {
      const body = JSON.stringify({ to: m.to, body: m.body, locale: m.locale, flowId: m.flowId });
      const ts = Math.floor(Date.now() / 1000);
      const headers = { "Content-Type": "application/json", "X-Keystep-Timestamp": String(ts), "X-Keystep-Signature": signWebhook(o.secret, ts, body) };
      const r = await post(o.url, { method: "POST", headers, body }, o.timeoutMs ?? 10_000);
      if (!(r instanceof Response)) return r;
      return r.ok ? { ok: true } : statusError(r.status, `webhook answered ${r.status}`);
    },
  };
}

/**
 * Development only: logs that a text would be sent, with digits masked because codes are never
 * logged (use the dev inbox to read them). Refused in production.
 */
export function createLogSender(logger: { info(obj: object, msg: string): void }, nodeEnv: string): SmsSender {
  if (nodeEnv === "production") throw new Error("SMS_PROVIDER=log is refused in production");
  return {
    async send(m: SmsMessage): Promise<DeliveryResult> {
      logger.info({ to: `…${m.to.slice(-4)}`, locale: m.locale, body: m.body.replace(/\d/g, "•") }, "sms (log provider, development only)");
      return { ok: true };
    },
  };
}
