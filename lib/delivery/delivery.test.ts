import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { startDevInbox, type DevInbox } from "@/e2e/dev-inbox/server";
import { createSmtpSender } from "./email";
import { createLogSender, createTwilioSender, createWebhookSender } from "./sms";
import { signWebhook, verifyWebhookSignature } from "./signature";
import { maskEmail, maskPhone, renderCodeEmail, smsBody } from "./templates";

const SECRET = "webhook-secret-that-is-long-enough-123456";
let inbox: DevInbox;
beforeAll(async () => {
  inbox = await startDevInbox({ smtpPort: 0, httpPort: 0, webhookSecret: SECRET, twilio: { accountSid: "AC123", authToken: "tok" } });
});
afterAll(() => inbox.close());

const sms = { to: "+447700900123", body: "123456 is your code\n\n@mfa.example.com #123456", locale: "en", flowId: "f1" };

describe("email over real SMTP", () => {
  it("delivers a multipart message that a mail client parses", async () => {
    const sender = createSmtpSender({ url: inbox.smtpUrl, from: "Keystep <mfa@example.com>" });
    const mail = renderCodeEmail({ brand: { name: "Acme", color: "#ff0000", logoUrl: null }, code: "123456", lang: "en", strings: { subject: "Your code", heading: "H", intro: "I", expiry: "E", ignore: "G", footer: "F" } });
    expect(await sender.send({ to: "ada@example.com", ...mail })).toMatchObject({ ok: true });
    const got = await inbox.waitFor((m) => m.to === "ada@example.com");
    expect(got).toMatchObject({ kind: "email", subject: "Your code" });
    expect(got.from).toContain("mfa@example.com");
    expect(got.text).toContain("123456");
    expect(got.html).toContain("123456");
  });

  it("threat: SMTP down gives a clear error and never throws", async () => {
    const sender = createSmtpSender({ url: "smtp://127.0.0.1:1", from: "a@b.c", timeoutMs: 2000 });
    expect(await sender.send({ to: "x@y.z", subject: "s", html: "h", text: "t" })).toMatchObject({ ok: false, error: "unavailable" });
  });

  it("a server that refuses the message is reported as rejected", async () => {
    inbox.setSmtpDown(true);
    try {
      const sender = createSmtpSender({ url: inbox.smtpUrl, from: "a@b.c" });
      expect(await sender.send({ to: "x@y.z", subject: "s", html: "h", text: "t" })).toMatchObject({ ok: false, error: "rejected" });
    } finally {
      inbox.setSmtpDown(false);
    }
  });

  it("a server that never greets times out", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    const sender = createSmtpSender({ url: `smtp://127.0.0.1:${port}`, from: "a@b.c", timeoutMs: 500 });
    const started = Date.now();
    expect(await sender.send({ to: "x@y.z", subject: "s", html: "h", text: "t" })).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(3000);
    silent.close();
  });
});

describe("SMS providers", () => {
  it("webhook: posts a signed JSON body the receiver verifies", async () => {
    const sender = createWebhookSender({ url: inbox.webhookUrl, secret: SECRET });
    expect(await sender.send(sms)).toEqual({ ok: true });
    expect(await inbox.waitFor((m) => m.via === "webhook" && m.to === sms.to)).toMatchObject({ text: sms.body });
  });

  it("threat: a forged webhook signature is refused by the receiver", async () => {
    const sender = createWebhookSender({ url: inbox.webhookUrl, secret: "wrong-secret-wrong-secret-wrong-secret" });
    expect(await sender.send(sms)).toMatchObject({ ok: false, error: "misconfigured" });
  });

  it("webhook signatures reject tampered bodies and stale timestamps", () => {
    const ts = Math.floor(Date.now() / 1000);
    const sig = signWebhook(SECRET, ts, "{}");
    expect(verifyWebhookSignature({ secret: SECRET, timestamp: String(ts), signature: sig, body: "{}" })).toBe(true);
    expect(verifyWebhookSignature({ secret: SECRET, timestamp: String(ts), signature: sig, body: "{ }" })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, timestamp: String(ts - 600), signature: signWebhook(SECRET, ts - 600, "{}"), body: "{}" })).toBe(false);
  });

  it("twilio: uses basic auth and the Messages API form fields", async () => {
    const sender = createTwilioSender({ accountSid: "AC123", authToken: "tok", from: "+15005550006", baseUrl: inbox.twilioBaseUrl });
    expect(await sender.send(sms)).toMatchObject({ ok: true, id: expect.stringMatching(/^SM/) });
    expect(await inbox.waitFor((m) => m.via === "twilio")).toMatchObject({ to: sms.to, from: "+15005550006", text: sms.body });
  });

  it("twilio: bad credentials are reported as misconfiguration", async () => {
    const sender = createTwilioSender({ accountSid: "AC123", authToken: "nope", from: "+15005550006", baseUrl: inbox.twilioBaseUrl });
    expect(await sender.send(sms)).toMatchObject({ ok: false, error: "misconfigured" });
  });

  it("twilio: an unreachable API is unavailable, not a crash", async () => {
    const sender = createTwilioSender({ accountSid: "AC123", authToken: "tok", from: "+1", baseUrl: "http://127.0.0.1:1", timeoutMs: 1000 });
    expect(await sender.send(sms)).toMatchObject({ ok: false, error: "unavailable" });
  });

  it("the log provider is refused in production", () => {
    expect(() => createLogSender({ info() {} }, "production")).toThrow(/production/);
  });

  it("threat: codes in logs — the log provider masks every digit", async () => {
    const lines: string[] = [];
    const sender = createLogSender({ info: (obj) => void lines.push(JSON.stringify(obj)) }, "development");
    expect(await sender.send(sms)).toEqual({ ok: true });
    expect(lines.join()).not.toMatch(/123456/);
  });
});

describe("message templates", () => {
  it("escapes brand text and loads nothing remote unless a logo is configured", () => {
    const mail = renderCodeEmail({ brand: { name: "<script>x</script>", color: "#123456", logoUrl: null }, code: "123456", lang: "en", strings: { subject: "s", heading: "h", intro: "i", expiry: "e", ignore: "g", footer: "f" } });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toMatch(/<img|https?:\/\//);
  });

  it("ends SMS with the WebOTP origin-bound line", () => {
    expect(smsBody({ text: "Code", host: "mfa.example.com", code: "123456" }).split("\n").at(-1)).toBe("@mfa.example.com #123456");
  });

  it("masks destinations", () => {
    expect(maskEmail("ada@example.com")).toBe("a•••@example.com");
    expect(maskPhone("+447700900123")).toBe("••••\u00a0••\u00a00123");
  });
});
