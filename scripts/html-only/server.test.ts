import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { buildAssets } from "../build-assets.mjs";
import { cspNonce, isHtmlOnlyRequest, loadScript, pickEncoding, stripClientRuntime, withHtmlOnly } from "./server.mjs";

// A trimmed copy of what Next 16 renders for /otp (the shapes the transform must recognise).
const PAGE = `<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><link rel="preload" href="/icon.svg" as="image"/><link rel="preload" as="script" fetchPriority="low" nonce="N1" href="/_next/static/chunks/2ib.js"/><script src="/_next/static/chunks/turbopack-07.js" async="" nonce="N1"></script><script src="/_next/static/chunks/0cz.js" noModule="" nonce="N1"></script><script nonce="N1">if(typeof window.PublicKeyCredential==="function")document.documentElement.classList.add("webauthn")</script><title>Keystep</title></head><body><form action="" method="POST"><input type="hidden" name="$ACTION_ID_abc"/><input name="code" autofocus=""/><button type="submit" data-pending-label="Verifying…">Verify</button></form><div hidden id="S:0"><p>late</p></div><script>$RC("B:0","S:0")</script><script nonce="N1" id="_R_">(globalThis["TURBOPACK"] || (globalThis["TURBOPACK"] = [])).push({"otherChunks":["static/chunks/2ib.js"]});</script><script nonce="N1">(self.__next_f=self.__next_f||[]).push([0])</script><script nonce="N1">self.__next_f.push([1,"1:\\"$Sreact.fragment\\"\\n\\u003c/script\\u003e"])</script></body></html>`;

describe("HTML-only screens: the transform", () => {
  const out = stripClientRuntime(PAGE, { nonce: "N1", enhance: "ENHANCE()" });

  it("removes Next's client runtime: chunk scripts, script preloads, the RSC payload and Turbopack's chunk list", () => {
    expect(out).not.toContain("/_next/");
    expect(out).not.toContain("__next_f");
    expect(out).not.toContain("TURBOPACK");
  });

  it("keeps everything else: the page, forms posting server actions, React's streaming script, our probe, image preloads", () => {
    expect(out).toContain('<input type="hidden" name="$ACTION_ID_abc"/>');
    expect(out).toContain('<script>$RC("B:0","S:0")</script>');
    expect(out).toContain("PublicKeyCredential");
    expect(out).toContain('<link rel="preload" href="/icon.svg" as="image"/>');
    expect(out).toContain('data-pending-label="Verifying…"');
  });

  it("adds the enhancement script with the response's CSP nonce, before </body>", () => {
    expect(out).toMatch(/<script nonce="N1">ENHANCE\(\)<\/script><\/body><\/html>$/);
  });

  it("leaves a document without </body> as it is rather than half-rewrite it", () => {
    expect(stripClientRuntime("<p>partial", { nonce: "x", enhance: "E" })).toBe("<p>partial");
  });

  it("reads the nonce from the CSP header", () => {
    expect(cspNonce("default-src 'self'; script-src 'self' 'nonce-1RP6kvxP+AVw/ETm==' 'strict-dynamic'")).toBe("1RP6kvxP+AVw/ETm==");
    expect(cspNonce(undefined)).toBeUndefined();
  });

  it("inlines the built client script (scripts/build-assets.mjs): every behaviour, the passkey button included, safe inside a <script>", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-assets-"));
    try {
      const [file] = await buildAssets({ out: dir, quiet: true });
      const js = loadScript(file);
      for (const hook of ["data-pending-label", "data-autosubmit", "data-wait-label", "data-session-left", "data-webauthn", "screen-title"]) expect(js).toContain(hook);
      expect(js).not.toMatch(/<\/script/i);
      expect(() => new Function(js)).not.toThrow();
      expect(js.length).toBeLessThan(16_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start without the built script, naming the command that makes it", () => {
    expect(() => loadScript("/nonexistent/html-only.js")).toThrow(/npm run build/);
  });
});

describe("HTML-only screens: which requests", () => {
  const req = (url: string, method = "GET", headers: Record<string, string> = {}) => ({ url, method, headers }) as unknown as http.IncomingMessage;

  it("document requests for the code screens, with or without a query, GET or a form's POST", () => {
    for (const p of ["/otp", "/email", "/phone", "/recovery-code", "/choose", "/webauthn-platform", "/webauthn-roaming", "/otp?x=1"]) expect(isHtmlOnlyRequest(req(p))).toBe(true);
    expect(isHtmlOnlyRequest(req("/otp", "POST"))).toBe(true);
  });

  it("never the client router's or a JavaScript server action's requests (they ask for RSC), nor other screens", () => {
    expect(isHtmlOnlyRequest(req("/otp", "GET", { rsc: "1" }))).toBe(false);
    expect(isHtmlOnlyRequest(req("/otp", "POST", { "next-action": "abc" }))).toBe(false);
    expect(isHtmlOnlyRequest(req("/otp", "GET", { "next-router-prefetch": "1" }))).toBe(false);
    for (const p of ["/otp/setup", "/webauthn-platform/setup", "/upgrade", "/magic-link", "/manage", "/", "/_next/static/x.js"]) expect(isHtmlOnlyRequest(req(p))).toBe(false);
    expect(isHtmlOnlyRequest(req("/otp", "PUT"))).toBe(false);
  });

  it("picks brotli, then gzip, honouring q=0", () => {
    expect(pickEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(pickEncoding("gzip")).toBe("gzip");
    expect(pickEncoding("br;q=0, gzip")).toBe("gzip");
    expect(pickEncoding(undefined)).toBeUndefined();
  });
});

describe("HTML-only screens: the wrapper around Next's handler", () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A stand-in for Next: writeHead early, the body streamed in chunks, as Next's renderer does. */
  async function serve(contentType: string, body: string) {
    let sawEncoding: string | undefined = "unset";
    const next = (req: http.IncomingMessage, res: http.ServerResponse) => {
      sawEncoding = req.headers["accept-encoding"];
      res.setHeader("content-security-policy", "script-src 'nonce-ABC'");
      res.setHeader("etag", '"next"');
      res.writeHead(200, { "content-type": contentType });
      res.flushHeaders();
      const half = Math.floor(body.length / 2);
      res.write(body.slice(0, half));
      setTimeout(() => res.end(Buffer.from(body.slice(half))), 5);
    };
    server = http.createServer(withHtmlOnly(next, "ENHANCE()"));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sawEncoding: () => sawEncoding };
  }

  function get(url: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .get(url, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c)).on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on("error", reject);
    });
  }

  it("rewrites a code screen's HTML, compresses it itself, and sends its true length without Next's etag", async () => {
    const s = await serve("text/html; charset=utf-8", PAGE.replace("<title>", `<p>${"Enter the code. ".repeat(200)}</p><title>`)); // over the 1 KB compression floor
    const r = await get(`${s.base}/otp`, { "accept-encoding": "gzip" });
    expect(s.sawEncoding()).toBeUndefined(); // Next was asked for identity, so we can read it
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(Number(r.headers["content-length"])).toBe(r.body.length);
    expect(r.headers.etag).toBeUndefined();
    expect(r.headers["x-keystep-html-only"]).toBe("1");
    const html = zlib.gunzipSync(r.body).toString();
    expect(html).not.toContain("/_next/");
    expect(html).toContain('<script nonce="ABC">ENHANCE()</script></body>');
  });

  it("passes other screens through untouched", async () => {
    const s = await serve("text/html; charset=utf-8", PAGE);
    const r = await get(`${s.base}/webauthn-platform/setup`);
    expect(r.body.toString()).toBe(PAGE);
    expect(r.headers.etag).toBe('"next"');
  });

  it("does not rewrite a code screen's non-HTML answer", async () => {
    const s = await serve("text/x-component", "0:{}");
    const r = await get(`${s.base}/otp`);
    expect(r.body.toString()).toBe("0:{}");
    expect(r.headers["x-keystep-html-only"]).toBeUndefined();
  });
});
