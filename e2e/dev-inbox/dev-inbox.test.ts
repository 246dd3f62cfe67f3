import http from "node:http";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../lib/delivery/signature";
import { createSmtpSender } from "../../lib/delivery/email";
import { createTwilioSender, createWebhookSender } from "../../lib/delivery/sms";
import { startDevInbox, type DevInbox, type InboxMessage } from "./server";

const SECRET = "dev-inbox-test-secret-of-32-bytes-min";
const TWILIO = { accountSid: "AC123", authToken: "tok" };
let inbox: DevInbox;

beforeAll(async () => {
  inbox = await startDevInbox({ smtpPort: 0, httpPort: 0, webhookSecret: SECRET, twilio: TWILIO });
});
afterAll(() => inbox.close());

const api = async (query = "") => (await (await fetch(`${inbox.url}/api/messages${query}`)).json()) as InboxMessage[];

function postWebhook(body: string, headers: Record<string, string>) {
  return fetch(inbox.webhookUrl, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
}

function signed(body: string, secret = SECRET, ts = Math.floor(Date.now() / 1000)) {
  return { "X-Keystep-Timestamp": String(ts), "X-Keystep-Signature": signWebhook(secret, ts, body) };
}

function postTwilio(form: Record<string, string>, auth = `${TWILIO.accountSid}:${TWILIO.authToken}`, sid = TWILIO.accountSid) {
  return fetch(`${inbox.twilioBaseUrl}/2010-04-01/Accounts/${sid}/Messages.json`, {
    method: "POST",
    headers: { Authorization: `Basic ${Buffer.from(auth).toString("base64")}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

describe("dev inbox", () => {
  it("starts on free ports when given port 0 and reports loopback URLs", () => {
    expect(inbox.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect(inbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(inbox.webhookUrl).toBe(`${inbox.url}/sms`);
    expect(inbox.twilioBaseUrl).toBe(`${inbox.url}/twilio`);
  });

  it("receives an email sent with nodemailer: in messages() and GET /api/messages?to=", async () => {
    const transport = nodemailer.createTransport(inbox.smtpUrl);
    await transport.sendMail({ from: "Keystep <mfa@keystep.test>", to: "Grace@Example.com", subject: "Your code", text: "Code: 424242", html: "<p>Code: <b>424242</b></p>" });
    transport.close();
    const got = await inbox.waitFor((m) => m.to === "grace@example.com");
    expect(got).toMatchObject({ kind: "email", via: "smtp", subject: "Your code", from: expect.stringContaining("mfa@keystep.test") });
    expect(got.text).toContain("424242");
    expect(got.html).toContain("<b>424242</b>");
    expect(inbox.messages()[0]?.id).toBe(got.id);
    const listed = await api(`?to=${encodeURIComponent("grace@example.com")}`);
    expect(listed.map((m) => m.id)).toEqual([got.id]);
    expect(await api("?to=nobody@example.com")).toEqual([]);
  });

  it("accepts a webhook SMS with a valid signature", async () => {
    const body = JSON.stringify({ to: "+447700900001", body: "111111 is your code\n\n@mfa.example.com #111111", locale: "en", flowId: "f1" });
    const r = await postWebhook(body, signed(body));
    expect(r.status).toBe(200);
    expect((await api("?to=%2B447700900001"))[0]).toMatchObject({ kind: "sms", via: "webhook", text: expect.stringContaining("#111111"), locale: "en", flowId: "f1" });
  });

  it("threat: forged SMS — a bad, stale or missing signature gets 401 and is not stored", async () => {
    const body = JSON.stringify({ to: "+447700900002", body: "forged" });
    const before = inbox.messages().length;
    expect((await postWebhook(body, signed(body, "wrong-secret-wrong-secret-wrong-secret"))).status).toBe(401);
    expect((await postWebhook(body, signed(body, SECRET, Math.floor(Date.now() / 1000) - 3600))).status).toBe(401);
    expect((await postWebhook(body.replace("forged", "tampered"), signed(body))).status).toBe(401);
    expect((await postWebhook(body, {})).status).toBe(401);
    expect(inbox.messages()).toHaveLength(before);
  });

  it("fake Twilio: accepts Basic auth and the Messages form, answers 201 with a sid", async () => {
    const r = await postTwilio({ To: "+447700900003", From: "+15005550006", Body: "333333 is your code" });
    expect(r.status).toBe(201);
    const json = (await r.json()) as { sid: string; status: string };
    expect(json.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(json.status).toBe("queued");
    expect((await api("?to=%2B447700900003"))[0]).toMatchObject({ kind: "sms", via: "twilio", from: "+15005550006", text: "333333 is your code" });
  });

  it("fake Twilio: bad credentials get Twilio's 401 (20003); missing fields get 400 with Twilio's codes", async () => {
    const bad = await postTwilio({ To: "+447700900004", From: "+1", Body: "x" }, "AC123:nope");
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 20003, status: 401 });
    expect((await postTwilio({ To: "+447700900004", From: "+1", Body: "x" }, "AC999:tok", "AC999")).status).toBe(401);
    const cases: Array<[Record<string, string>, number]> = [
      [{ From: "+1", Body: "x" }, 21604],
      [{ To: "07700900004", From: "+1", Body: "x" }, 21211],
      [{ To: "+447700900004", From: "+1" }, 21602],
      [{ To: "+447700900004", Body: "x" }, 21603],
    ];
    for (const [form, code] of cases) {
      const r = await postTwilio(form);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ code });
    }
    expect(await api("?to=%2B447700900004")).toEqual([]);
  });

  it("Keystep's own senders (SMTP, webhook, Twilio) reach the inbox", async () => {
    const email = createSmtpSender({ url: inbox.smtpUrl, from: "Keystep <mfa@keystep.test>" });
    expect(await email.send({ to: "lin@example.com", subject: "s", html: "<p>h</p>", text: "t" })).toMatchObject({ ok: true });
    await email.close?.();
    const sms = { to: "+447700900005", body: "555555\n\n@mfa.example.com #555555", locale: "en", flowId: "f5" };
    expect(await createWebhookSender({ url: inbox.webhookUrl, secret: SECRET }).send(sms)).toEqual({ ok: true });
    expect(await createTwilioSender({ ...TWILIO, from: "+15005550006", baseUrl: inbox.twilioBaseUrl }).send(sms)).toMatchObject({ ok: true, id: expect.stringMatching(/^SM/) });
    expect(await createTwilioSender({ ...TWILIO, authToken: "wrong", from: "+15005550006", baseUrl: inbox.twilioBaseUrl }).send(sms)).toMatchObject({ ok: false, error: "misconfigured" });
    expect((await api("?to=%2B447700900005")).map((m) => m.via).sort()).toEqual(["twilio", "webhook"]);
    expect(await api("?to=lin@example.com")).toHaveLength(1);
  });

  it("WhatsApp from Keystep's senders (webhook channel field, Twilio whatsapp: addresses) is kept as WhatsApp and labelled so", async () => {
    const msg = { to: "+447700900006", body: "666666\n\n@mfa.example.com #666666", locale: "en", flowId: "f6" };
    expect(await createWebhookSender({ url: inbox.webhookUrl, secret: SECRET, channel: "whatsapp" }).send(msg)).toEqual({ ok: true });
    expect(await createTwilioSender({ ...TWILIO, from: "+14155238886", baseUrl: inbox.twilioBaseUrl, channel: "whatsapp" }).send(msg)).toMatchObject({ ok: true });
    const got = await api("?to=%2B447700900006");
    expect(got.map((m) => [m.kind, m.via]).sort()).toEqual([
      ["whatsapp", "twilio"],
      ["whatsapp", "webhook"],
    ]);
    expect(got.find((m) => m.via === "twilio")?.from).toBe("+14155238886");
    expect(await api("?to=%2B447700900006&kind=sms")).toEqual([]);
    const html = await (await fetch(`${inbox.url}/`)).text();
    expect(html).toContain('aria-label="WhatsApp message to +447700900006"');
    expect(html).toMatch(/<span class="kind wa">WhatsApp · webhook<\/span>/);
  });

  it("fake Twilio: a WhatsApp recipient with an SMS sender gets Twilio's 21910; an unknown webhook channel is refused", async () => {
    const mixed = await postTwilio({ To: "whatsapp:+447700900007", From: "+15005550006", Body: "x" });
    expect(mixed.status).toBe(400);
    expect(await mixed.json()).toMatchObject({ code: 21910 });
    const body = JSON.stringify({ to: "+447700900007", body: "x", channel: "pigeon" });
    expect((await postWebhook(body, signed(body))).status).toBe(400);
    expect(await api("?to=%2B447700900007")).toEqual([]);
  });

  it("setSmtpDown makes the SMTP server refuse messages (554 → rejected)", async () => {
    inbox.setSmtpDown(true);
    try {
      const email = createSmtpSender({ url: inbox.smtpUrl, from: "a@keystep.test" });
      expect(await email.send({ to: "x@example.com", subject: "s", html: "h", text: "t" })).toMatchObject({ ok: false, error: "rejected" });
      await email.close?.();
    } finally {
      inbox.setSmtpDown(false);
    }
  });

  it("the page lists emails in sandboxed srcdoc iframes and SMS as bubbles, newest first", async () => {
    const transport = nodemailer.createTransport(inbox.smtpUrl);
    await transport.sendMail({ from: "a@keystep.test", to: "page@example.com", subject: 'Quote " & <tag>', html: '<p title="q">Hi &amp; <script>alert(1)</script></p>', text: "Hi" });
    transport.close();
    await inbox.waitFor((m) => m.to === "page@example.com");
    const r = await fetch(`${inbox.url}/`);
    const html = await r.text();
    expect(r.headers.get("content-type")).toContain("text/html");
    expect(r.headers.get("content-security-policy")).toMatch(/script-src 'nonce-/);
    expect(html).toContain("<title>Dev inbox</title>");
    expect(html).toContain('<meta name="viewport"');
    // The email document is one attribute value: quotes and tags are entities, so it cannot break out.
    const frames = html.match(/<iframe [^>]*>/g) ?? [];
    expect(frames.length).toBe(inbox.messages().filter((m) => m.kind === "email").length);
    expect(frames.every((f) => / sandbox="[^"]*"/.test(f) && !/allow-scripts|allow-same-origin/.test(f))).toBe(true);
    expect(frames[0]).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(frames[0]).toContain("&amp;amp;");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("Quote &quot; &amp; &lt;tag&gt;");
    expect(html).toContain('<p class="bubble">');
    expect(html.indexOf("page@example.com")).toBeLessThan(html.indexOf("+447700900001"));
    expect(html).toMatch(/setInterval\([\s\S]*\/api\/messages/);
  });

  it("threat: DNS rebinding — a request for another Host name is refused", async () => {
    const { port } = new URL(inbox.url);
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: "127.0.0.1", port, path: "/api/messages", headers: { Host: `evil.example:${port}` } }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on("error", reject);
    });
    expect(status).toBe(403);
  });

  it("refuses to start without a webhook secret", async () => {
    await expect(startDevInbox({ smtpPort: 0, httpPort: 0, webhookSecret: "" })).rejects.toThrow(/webhookSecret/);
  });

  it("keeps at most 200 messages, newest first", async () => {
    const extra = await startDevInbox({ smtpPort: 0, httpPort: 0, webhookSecret: SECRET });
    try {
      for (let i = 0; i < 205; i++) {
        const body = JSON.stringify({ to: `+4477009${String(i).padStart(5, "0")}`, body: `n${i}` });
        const ts = Math.floor(Date.now() / 1000);
        await fetch(extra.webhookUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Keystep-Timestamp": String(ts), "X-Keystep-Signature": signWebhook(SECRET, ts, body) },
          body,
        });
      }
      const all = extra.messages();
      expect(all).toHaveLength(200);
      expect(all[0]?.text).toBe("n204");
      expect(all.at(-1)?.text).toBe("n5");
    } finally {
      await extra.close();
    }
  });
});
