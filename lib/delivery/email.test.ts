import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import { classifySmtpError, createSmtpSender, parseSmtpUrl } from "./email";
import type { EmailSender } from "./types";

const MAIL = { to: "ada@example.com", subject: "123456 is your code", html: "<p>Your code: <b>123456</b></p>", text: "Your code: 123456" };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real SMTP server on a free port that parses what it receives, as a mailbox provider would. */
async function startSink(options: SMTPServerOptions = {}) {
  const received: ParsedMail[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 100,
    onConnect: (_s, cb) => (connections++, cb()),
    onData: (stream, _s, cb) => void simpleParser(stream).then((m) => (received.push(m), cb()), cb),
    ...options,
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.server.address() as net.AddressInfo).port;
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { url: `smtp://127.0.0.1:${port}`, received, connections: () => connections };
}

function sender(url: string, timeoutMs?: number): EmailSender {
  const s = createSmtpSender({ url, from: "Keystep <mfa@keystep.test>", timeoutMs });
  cleanups.push(() => s.close?.() ?? Promise.resolve());
  return s;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe("email delivery over real SMTP", () => {
  it("delivers a multipart message with html and text parts, from, to and subject", async () => {
    const sink = await startSink();
    const result = await sender(sink.url).send(MAIL);
    expect(result).toMatchObject({ ok: true, id: expect.any(String) });
    const [mail] = sink.received;
    expect(mail?.from?.value[0]?.address).toBe("mfa@keystep.test");
    expect(mail?.from?.value[0]?.name).toBe("Keystep");
    expect(Array.isArray(mail?.to) ? undefined : mail?.to?.value[0]?.address).toBe("ada@example.com");
    expect(mail?.subject).toBe(MAIL.subject);
    expect(mail?.html).toContain("<b>123456</b>");
    expect(mail?.text?.trim()).toBe(MAIL.text);
  });

  it("keeps the pooled connection warm: consecutive sends reuse one SMTP connection", async () => {
    const sink = await startSink();
    const s = sender(sink.url);
    for (let i = 0; i < 3; i++) expect(await s.send(MAIL)).toMatchObject({ ok: true });
    expect(sink.received).toHaveLength(3);
    expect(sink.connections()).toBe(1);
  });

  it("threat: SMTP down gives a clear error, never throws", async () => {
    const result = await sender(`smtp://127.0.0.1:${await closedPort()}`, 2000).send(MAIL);
    expect(result).toEqual({ ok: false, error: "unavailable", detail: expect.stringContaining("ECONNREFUSED") });
  });

  it("threat: a server that accepts the connection and never greets times out within the budget", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => (sockets.forEach((s) => s.destroy()), silent.close(() => r()))));
    const started = Date.now();
    const result = await sender(`smtp://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, 500).send(MAIL);
    expect(result).toMatchObject({ ok: false, error: "timeout" });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("a 5xx refusal is reported as rejected, with the reply code but not the address", async () => {
    const sink = await startSink({ onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error("5.1.1 <ada@example.com> unknown user"), { responseCode: 550 })) });
    const result = await sender(sink.url).send(MAIL);
    expect(result).toEqual({ ok: false, error: "rejected", detail: "SMTP 550 at RCPT TO" });
  });

  it("a 4xx (greylisting, full queue) is temporary: unavailable, not rejected", async () => {
    const sink = await startSink({ onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error("4.7.1 try again later"), { responseCode: 451 })) });
    expect(await sender(sink.url).send(MAIL)).toMatchObject({ ok: false, error: "unavailable" });
  });

  it("wrong SMTP credentials are a misconfiguration", async () => {
    const sink = await startSink({ allowInsecureAuth: true, onAuth: (_a, _s, cb) => cb(new Error("Invalid username or password")) });
    const result = await sender(sink.url.replace("smtp://", "smtp://keystep:wrong@")).send(MAIL);
    expect(result).toMatchObject({ ok: false, error: "misconfigured", detail: expect.stringContaining("authentication") });
    expect(sink.received).toHaveLength(0);
  });

  it("threat: an on-path server with a self-signed certificate is refused, not trusted", async () => {
    // smtp-server offers STARTTLS with its built-in self-signed certificate when not disabled.
    const sink = await startSink({ disabledCommands: [] });
    const result = await sender(sink.url).send(MAIL);
    expect(result).toMatchObject({ ok: false, error: "misconfigured", detail: expect.stringContaining("TLS") });
    expect(sink.received).toHaveLength(0);
  });

  it("threat: STARTTLS stripping — ?requireTLS=true refuses to send in clear text", async () => {
    const sink = await startSink();
    const result = await sender(`${sink.url}?requireTLS=true`).send(MAIL);
    expect(result).toMatchObject({ ok: false, error: "misconfigured" });
    expect(sink.received).toHaveLength(0);
  });

  it("threat: one code, one mailbox — an address list or display-name form is refused before sending", async () => {
    const sink = await startSink();
    const s = sender(sink.url);
    for (const to of ["ada@example.com, eve@evil.test", "ada@example.com;eve@evil.test", "Eve <eve@evil.test>", "ada@example.com\r\nBcc: eve@evil.test"]) {
      expect(await s.send({ ...MAIL, to })).toEqual({ ok: false, error: "rejected", detail: "recipient is not a single email address" });
    }
    expect(sink.connections()).toBe(0);
  });

  it("threat: codes in logs — a send writes nothing to the console", async () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    try {
      const sink = await startSink();
      await sender(sink.url).send(MAIL);
      await sender(`smtp://127.0.0.1:${await closedPort()}`).send(MAIL);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });
});

describe("SMTP configuration", () => {
  it("reads smtp:// (STARTTLS), smtps:// (implicit TLS), credentials and default ports", () => {
    expect(parseSmtpUrl("smtp://user%40x:p%3Ass@mail.example.com")).toEqual({ host: "mail.example.com", port: 587, secure: false, requireTLS: false, auth: { user: "user@x", pass: "p:ss" } });
    expect(parseSmtpUrl("smtps://mail.example.com")).toMatchObject({ port: 465, secure: true, auth: undefined });
    expect(parseSmtpUrl("smtp://mail.example.com:2525?requireTLS=true")).toMatchObject({ port: 2525, requireTLS: true });
  });

  it("threat: a typo or a TLS-disabling option is refused, never silently ignored", () => {
    expect(parseSmtpUrl("smtp://h?requireTls=true")).toMatch(/not supported/);
    expect(parseSmtpUrl("smtp://h?tls.rejectUnauthorized=false")).toMatch(/not supported/);
    expect(parseSmtpUrl("smtp://h?requireTLS=yes")).toMatch(/true or false/);
    expect(parseSmtpUrl("http://h")).toMatch(/smtp/);
  });

  it("an unusable URL or sender never throws: every send reports misconfigured", async () => {
    await expect(createSmtpSender({ url: "not a url", from: "a@b.c" }).send(MAIL)).resolves.toMatchObject({ ok: false, error: "misconfigured" });
    await expect(createSmtpSender({ url: "smtp://127.0.0.1:25", from: "" }).send(MAIL)).resolves.toMatchObject({ ok: false, error: "misconfigured" });
  });

  it("maps nodemailer error codes to what an operator does about them", () => {
    expect(classifySmtpError({ code: "ETIMEDOUT", command: "CONN" })).toMatchObject({ error: "timeout" });
    expect(classifySmtpError({ code: "ESOCKET", originalCode: "CERT_HAS_EXPIRED" })).toMatchObject({ error: "misconfigured" });
    expect(classifySmtpError({ code: "EAUTH", responseCode: 535 })).toMatchObject({ error: "misconfigured" });
    expect(classifySmtpError({ code: "EENVELOPE", responseCode: 552, command: "RCPT TO" })).toMatchObject({ error: "rejected" });
    expect(classifySmtpError({ code: "ESOCKET", originalCode: "ENOTFOUND" })).toMatchObject({ error: "unavailable" });
  });
});
