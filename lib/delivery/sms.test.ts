import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signWebhook } from "./signature";
import { createLogSender, createTwilioSender, createWebhookSender, verifyWebhookSignature } from "./sms";
import type { SmsMessage } from "./types";

const SMS: SmsMessage = { to: "+447700900123", body: "123456 is your Acme code.\n\n@mfa.example.com #123456", locale: "en", flowId: "flow-1" };
const SECRET = "a-webhook-secret-of-at-least-32-bytes!!";

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A local HTTP server standing in for a provider: records each request and answers with `reply`. */
async function fakeProvider(reply: (seen: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const s = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(s);
      reply(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen };
}

const answer = (status: number, json: unknown) => (_s: Seen, res: http.ServerResponse) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(json));
};

const twilio = (baseUrl: string, extra: Partial<Parameters<typeof createTwilioSender>[0]> = {}) =>
  createTwilioSender({ accountSid: "AC0123", authToken: "secret-token", from: "+15005550006", baseUrl, ...extra });

describe("Twilio", () => {
  it("posts the Messages API form with Basic auth and returns Twilio's sid", async () => {
    const api = await fakeProvider(answer(201, { sid: "SM42", status: "queued" }));
    expect(await twilio(api.url).send(SMS)).toEqual({ ok: true, id: "SM42" });
    const [req] = api.seen;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/2010-04-01/Accounts/AC0123/Messages.json");
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from("AC0123:secret-token").toString("base64")}`);
    expect(req?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({ To: SMS.to, Body: SMS.body, From: "+15005550006" });
  });

  it("uses the Messaging Service instead of From when one is configured", async () => {
    const api = await fakeProvider(answer(201, { sid: "SM43" }));
    await twilio(api.url, { messagingServiceSid: "MG99" }).send(SMS);
    const form = new URLSearchParams(api.seen[0]?.body);
    expect(form.get("MessagingServiceSid")).toBe("MG99");
    expect(form.has("From")).toBe(false);
  });

  it("a 400 is rejected with Twilio's code and message, the number masked", async () => {
    const api = await fakeProvider(answer(400, { code: 21211, message: `The 'To' number ${SMS.to} is not a valid phone number.`, status: 400 }));
    const result = await twilio(api.url).send(SMS);
    expect(result).toEqual({ ok: false, error: "rejected", detail: "Twilio 400 (code 21211): The 'To' number …0123 is not a valid phone number." });
  });

  it("a 401 (wrong SID or token) is a misconfiguration", async () => {
    const api = await fakeProvider(answer(401, { code: 20003, message: "Authenticate", status: 401 }));
    expect(await twilio(api.url).send(SMS)).toMatchObject({ ok: false, error: "misconfigured", detail: expect.stringContaining("20003") });
  });

  it("5xx and 429 are unavailable (worth retrying), not rejected", async () => {
    const down = await fakeProvider(answer(503, { message: "Service Unavailable" }));
    expect(await twilio(down.url).send(SMS)).toMatchObject({ ok: false, error: "unavailable" });
    const limited = await fakeProvider(answer(429, { code: 20429, message: "Too Many Requests" }));
    expect(await twilio(limited.url).send(SMS)).toMatchObject({ ok: false, error: "unavailable" });
  });

  it("an unreachable API is unavailable, never a throw", async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address() as net.AddressInfo;
    await new Promise((r) => s.close(r));
    expect(await twilio(`http://127.0.0.1:${port}`).send(SMS)).toMatchObject({ ok: false, error: "unavailable", detail: expect.stringContaining("ECONNREFUSED") });
  });

  it("threat: a hung API cannot hold the sign-in page — timeout after timeoutMs", async () => {
    const api = await fakeProvider(() => {});
    const started = Date.now();
    expect(await twilio(api.url, { timeoutMs: 300 }).send(SMS)).toMatchObject({ ok: false, error: "timeout" });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("without From or a Messaging Service it reports misconfigured and sends nothing", async () => {
    const api = await fakeProvider(answer(201, { sid: "SM1" }));
    expect(await twilio(api.url, { from: null }).send(SMS)).toMatchObject({ ok: false, error: "misconfigured" });
    expect(api.seen).toHaveLength(0);
  });
});

describe("Twilio WhatsApp", () => {
  const whatsapp = (baseUrl: string, extra: Partial<Parameters<typeof createTwilioSender>[0]> = {}) =>
    createTwilioSender({ accountSid: "AC0123", authToken: "secret-token", from: "+14155238886", baseUrl, channel: "whatsapp", ...extra });

  it("posts the same Messages API form with both numbers addressed as whatsapp:+…", async () => {
    const api = await fakeProvider(answer(201, { sid: "SM77", status: "queued" }));
    expect(await whatsapp(api.url).send(SMS)).toEqual({ ok: true, id: "SM77" });
    const [req] = api.seen;
    expect(req?.url).toBe("/2010-04-01/Accounts/AC0123/Messages.json");
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from("AC0123:secret-token").toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({ To: `whatsapp:${SMS.to}`, Body: SMS.body, From: "whatsapp:+14155238886" });
  });

  it("a Messaging Service still picks the sender; the recipient stays a WhatsApp address", async () => {
    const api = await fakeProvider(answer(201, { sid: "SM78" }));
    await whatsapp(api.url, { from: null, messagingServiceSid: "MG99" }).send(SMS);
    const form = new URLSearchParams(api.seen[0]?.body);
    expect(form.get("To")).toBe(`whatsapp:${SMS.to}`);
    expect(form.get("MessagingServiceSid")).toBe("MG99");
    expect(form.has("From")).toBe(false);
  });

  it("threat: numbers in logs — Twilio's error quoting the WhatsApp address is masked", async () => {
    const api = await fakeProvider(answer(400, { code: 63003, message: `Channel could not find To address whatsapp:${SMS.to}`, status: 400 }));
    const result = await whatsapp(api.url).send(SMS);
    expect(result).toMatchObject({ ok: false, error: "rejected" });
    expect(JSON.stringify(result)).not.toContain("7700900");
  });
});

describe("signed webhook", () => {
  /** A receiver written the way the README tells teams to: verify the raw body before trusting it. */
  const receiver = (secret: string) => (s: Seen, res: http.ServerResponse) => {
    const ok = verifyWebhookSignature({ secret, timestamp: s.headers["x-keystep-timestamp"] as string, signature: s.headers["x-keystep-signature"] as string, body: s.body });
    res.writeHead(ok ? 204 : 401).end();
  };

  it("posts signed JSON {to, body, locale, flowId, channel} that the receiver verifies", async () => {
    const gw = await fakeProvider(receiver(SECRET));
    expect(await createWebhookSender({ url: gw.url, secret: SECRET }).send(SMS)).toEqual({ ok: true });
    const [req] = gw.seen;
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers["x-keystep-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(Math.abs(Number(req?.headers["x-keystep-timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
    expect(JSON.parse(req!.body)).toEqual({ to: SMS.to, body: SMS.body, locale: "en", flowId: "flow-1", channel: "sms" });
  });

  it('marks WhatsApp messages with channel "whatsapp", inside the signed body', async () => {
    const gw = await fakeProvider(receiver(SECRET));
    expect(await createWebhookSender({ url: gw.url, secret: SECRET, channel: "whatsapp" }).send(SMS)).toEqual({ ok: true });
    expect(JSON.parse(gw.seen[0]!.body)).toEqual({ to: SMS.to, body: SMS.body, locale: "en", flowId: "flow-1", channel: "whatsapp" });
  });

  it("threat: a relayed SMS cannot be turned into a WhatsApp message — the channel is covered by the signature", () => {
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ to: SMS.to, body: SMS.body, channel: "sms" });
    const sig = signWebhook(SECRET, ts, body);
    expect(verifyWebhookSignature({ secret: SECRET, timestamp: String(ts), signature: sig, body })).toBe(true);
    expect(verifyWebhookSignature({ secret: SECRET, timestamp: String(ts), signature: sig, body: body.replace('"sms"', '"whatsapp"') })).toBe(false);
  });

  it("threat: forged requests — a receiver with another secret refuses, and the sender reports misconfigured", async () => {
    const gw = await fakeProvider(receiver("another-secret-another-secret-another"));
    expect(await createWebhookSender({ url: gw.url, secret: SECRET }).send(SMS)).toMatchObject({ ok: false, error: "misconfigured" });
  });

  it("threat: a tampered body, a replayed old request or a malformed signature fails verification", () => {
    const now = Date.now();
    const ts = Math.floor(now / 1000);
    const body = JSON.stringify({ to: SMS.to, body: SMS.body });
    const sig = signWebhook(SECRET, ts, body);
    const check = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) => verifyWebhookSignature({ secret: SECRET, timestamp: String(ts), signature: sig, body, now, ...over });
    expect(check({})).toBe(true);
    expect(check({ body: body.replace("+44", "+1") })).toBe(false);
    expect(check({ now: now + 301_000 })).toBe(false);
    expect(check({ timestamp: String(ts - 600), signature: signWebhook(SECRET, ts - 600, body) })).toBe(false);
    expect(check({ timestamp: String(ts + 1) })).toBe(false);
    expect(check({ signature: sig.toUpperCase() })).toBe(false);
    expect(check({ signature: sig.slice(0, -2) })).toBe(false);
    expect(check({ signature: null, timestamp: null })).toBe(false);
    expect(check({ timestamp: ` ${ts}` })).toBe(false);
  });

  it("threat: an empty secret — verification refuses and the sender will not be built", () => {
    const ts = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature({ secret: "", timestamp: String(ts), signature: signWebhook("", ts, "{}"), body: "{}" })).toBe(false);
    expect(() => createWebhookSender({ url: "http://127.0.0.1:1", secret: "" })).toThrow(/secret/);
  });

  it("threat: a redirect is not followed, so the signed code goes to the configured host only", async () => {
    const elsewhere = await fakeProvider(receiver(SECRET));
    const gw = await fakeProvider((_s, res) => res.writeHead(307, { Location: `${elsewhere.url}/steal` }).end());
    expect(await createWebhookSender({ url: gw.url, secret: SECRET }).send(SMS)).toMatchObject({ ok: false, error: "misconfigured" });
    expect(elsewhere.seen).toHaveLength(0);
  });

  it("a failing gateway is unavailable and a hung one times out", async () => {
    const broken = await fakeProvider((_s, res) => res.writeHead(502).end());
    expect(await createWebhookSender({ url: broken.url, secret: SECRET }).send(SMS)).toMatchObject({ ok: false, error: "unavailable" });
    const hung = await fakeProvider(() => {});
    expect(await createWebhookSender({ url: hung.url, secret: SECRET, timeoutMs: 300 }).send(SMS)).toMatchObject({ ok: false, error: "timeout" });
  });
});

describe("log provider", () => {
  it("is refused in production at configuration time", () => {
    expect(() => createLogSender({ info() {} }, "production")).toThrow(/production/);
  });

  it("threat: codes in logs — logs the masked number and locale, never the code", async () => {
    const lines: Array<{ obj: object; msg: string }> = [];
    const s = createLogSender({ info: (obj, msg) => void lines.push({ obj, msg }) }, "development");
    expect(await s.send(SMS)).toEqual({ ok: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.obj).toMatchObject({ to: "…0123", locale: "en" });
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain("123456");
    expect(logged).not.toContain("7700900");
  });
});
