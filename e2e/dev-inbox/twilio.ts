/*
 * A local stand-in for Twilio's Messages API (POST /2010-04-01/Accounts/{AccountSid}/Messages.json),
 * answering like Twilio does: 401 code 20003 on bad credentials, 400 with Twilio's error codes on
 * missing or invalid fields, 201 with a Message resource otherwise.
 */
import crypto from "node:crypto";

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface TwilioOutcome {
  status: number;
  body: Record<string, unknown>;
  /** Present when the message was accepted; numbers without their `whatsapp:` channel prefix. */
  sms?: { to: string; from?: string; text: string; channel: "sms" | "whatsapp" };
}

const twilioError = (status: number, code: number, message: string): TwilioOutcome => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

// Hashing first makes the comparison constant-time whatever the lengths.
const sameSecret = (a: string, b: string) => crypto.timingSafeEqual(crypto.createHash("sha256").update(a).digest(), crypto.createHash("sha256").update(b).digest());

/** Whether an Authorization header is HTTP Basic (RFC 7617) for these credentials and this account. */
export function twilioAuthorized(creds: TwilioCredentials | undefined, pathSid: string, authorization: string | undefined): boolean {
  if (!creds || !authorization?.startsWith("Basic ")) return false;
  const decoded = Buffer.from(authorization.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const [user, pass] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return sameSecret(user, creds.accountSid) && sameSecret(pass, creds.authToken) && pathSid === creds.accountSid;
}

/** Validates one Messages.json request the way Twilio would and says what to answer. */
export function handleTwilioMessage(o: { creds: TwilioCredentials | undefined; pathSid: string; authorization?: string; contentType?: string; rawBody: string }): TwilioOutcome {
  if (!twilioAuthorized(o.creds, o.pathSid, o.authorization)) return twilioError(401, 20003, "Authenticate");
  if (!o.contentType?.startsWith("application/x-www-form-urlencoded")) return twilioError(400, 20001, "Content-Type must be application/x-www-form-urlencoded");
  const form = new URLSearchParams(o.rawBody);
  // Twilio addresses WhatsApp as `whatsapp:+E164`, on both sides.
  const rawTo = form.get("To") ?? "";
  const whatsapp = rawTo.startsWith("whatsapp:");
  const to = whatsapp ? rawTo.slice(9) : rawTo;
  const text = form.get("Body") ?? "";
  const rawFrom = form.get("From") ?? undefined;
  if (rawFrom && rawFrom.startsWith("whatsapp:") !== whatsapp) return twilioError(400, 21910, "Invalid From and To pair. From and To should be of the same channel.");
  const from = rawFrom && whatsapp ? rawFrom.slice(9) : rawFrom;
  const service = form.get("MessagingServiceSid") ?? undefined;
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!text) return twilioError(400, 21602, "Message body is required.");
  if (text.length > 1600) return twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  if (!from && !service) return twilioError(400, 21603, "A 'From' phone number is required.");
  const sid = `SM${crypto.randomBytes(16).toString("hex")}`;
  return {
    status: 201,
    body: {
      sid,
      account_sid: o.pathSid,
      to: rawTo,
      from: rawFrom ?? null,
      messaging_service_sid: service ?? null,
      body: text,
      status: "queued",
      api_version: "2010-04-01",
      date_created: new Date().toUTCString(),
    },
    sms: { to, from: from ?? service, text, channel: whatsapp ? "whatsapp" : "sms" },
  };
}
