import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from "./signature";
import type { DeliveryError, DeliveryResult, SmsMessage, SmsSender } from "./types";

export { signWebhook, verifyWebhookSignature } from "./signature";

const fail = (error: DeliveryError, detail: string): DeliveryResult => ({ ok: false, error, detail });

/** The destination in logs and error details: enough to correlate, not a harvestable number. */
const maskNumber = (e164: string) => `…${e164.replace(/\D/g, "").slice(-4)}`;

async function post(url: string, init: RequestInit, timeoutMs: number): Promise<Response | DeliveryResult> {
  try {
    // Redirects are not followed: a signed request carrying a code must reach the configured host only.
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  } catch (e) {
    const name = (e as Error).name;
    if (name === "TimeoutError" || name === "AbortError") return fail("timeout", `no answer in ${timeoutMs} ms`);
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return fail("unavailable", `unreachable (${cause ?? (e as Error).message})`);
  }
}

/** Maps an HTTP status to a DeliveryError; 429 is the provider's rate limit, worth a retry later. */
function statusError(status: number, detail: string): DeliveryResult {
  if (status === 401 || status === 403) return fail("misconfigured", detail);
  if (status >= 300 && status < 400) return fail("misconfigured", `${detail} (redirects are not followed; configure the final URL)`);
  if (status === 429) return fail("unavailable", detail);
  if (status >= 400 && status < 500) return fail("rejected", detail);
  return fail("unavailable", detail);
}

export interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  from?: string | null;
  messagingServiceSid?: string | null;
  /** Overridable so tests and the dev inbox can stand in for api.twilio.com. */
  baseUrl?: string;
  timeoutMs?: number;
  /** `whatsapp`: the same API, with both numbers addressed as `whatsapp:+…` (Twilio's channel address). */
  channel?: TextChannel;
}

/** The channels a text message can travel on; the webhook says which in its `channel` field. */
export type TextChannel = "sms" | "whatsapp";

/** SMS (or WhatsApp) through Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded, Basic auth). */
export function createTwilioSender(o: TwilioSenderOptions): SmsSender {
  const address = (e164: string) => (o.channel === "whatsapp" ? `whatsapp:${e164}` : e164);
  const url = `${(o.baseUrl ?? "https://api.twilio.com").replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString("base64")}`;
  return {
    async send(m) {
      const form = new URLSearchParams({ To: address(m.to), Body: m.body });
      // A Messaging Service picks the sender number itself (and handles opt-outs), so it wins over From.
      if (o.messagingServiceSid) form.set("MessagingServiceSid", o.messagingServiceSid);
      else if (o.from) form.set("From", address(o.from));
      else return fail("misconfigured", "Twilio needs a From number or a Messaging Service SID");
      const headers = { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
      const r = await post(url, { method: "POST", headers, body: form.toString() }, o.timeoutMs ?? 10_000);
      if (!(r instanceof Response)) return r;
      const json = (await r.json().catch(() => ({}))) as { sid?: string; message?: string; code?: number };
      if (r.ok) return { ok: true, id: json.sid };
      // Twilio's messages quote the number ("The 'To' number +44… is not valid"); keep it out of logs.
      const message = (json.message ?? "error").split(m.to).join(maskNumber(m.to));
      return statusError(r.status, `Twilio ${r.status}${json.code ? ` (code ${json.code})` : ""}: ${message}`);
    },
  };
}

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  timeoutMs?: number;
  /** Sent as `channel` so one gateway can serve SMS and WhatsApp; `sms` by default. */
  channel?: TextChannel;
}

/**
 * SMS or WhatsApp through the deploying team's own gateway: a JSON POST
 * `{to, body, locale, flowId, channel: "sms" | "whatsapp"}` signed with
 * `X-Keystep-Signature: v1=<hex HMAC-SHA256(secret, "${timestamp}.${rawBody}")>` and
 * `X-Keystep-Timestamp`; receivers check both with verifyWebhookSignature. Throws on an empty secret.
 */
export function createWebhookSender(o: WebhookSenderOptions): SmsSender {
  if (!o.secret) throw new Error("SMS webhook secret is empty: unsigned requests could be forged by anyone who can reach the gateway");
  return {
    async send(m) {
      const body = JSON.stringify({ to: m.to, body: m.body, locale: m.locale, flowId: m.flowId, channel: o.channel ?? "sms" });
      const ts = Math.floor(Date.now() / 1000);
      const headers = { "Content-Type": "application/json", [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signWebhook(o.secret, ts, body) };
      const r = await post(o.url, { method: "POST", headers, body }, o.timeoutMs ?? 10_000);
      if (!(r instanceof Response)) return r;
      await r.body?.cancel().catch(() => {});
      return r.ok ? { ok: true } : statusError(r.status, `${o.channel === "whatsapp" ? "WhatsApp" : "SMS"} webhook answered ${r.status}`);
    },
  };
}

/**
 * Development only: logs that a text would be sent, with the number masked and every digit of the
 * body hidden (codes are never logged; read them in the dev inbox). Throws when nodeEnv is production.
 */
export function createLogSender(logger: { info(obj: object, msg: string): void }, nodeEnv: string | undefined): SmsSender {
  if (nodeEnv === "production") throw new Error("SMS_PROVIDER=log is refused in production: it delivers nothing");
  return {
    async send(m: SmsMessage) {
      logger.info({ to: maskNumber(m.to), locale: m.locale, body: m.body.replace(/\d/g, "•") }, "sms not sent (log provider, development only)");
      return { ok: true };
    },
  };
}
