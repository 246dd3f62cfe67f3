// HTML-only code screens. The screens where a person types a code or picks a method need no
// framework in the browser: they are server-rendered forms that post server actions, and they
// already work with JavaScript off (e2e/no-javascript.spec.ts). Booting React and Next's router
// there costs a phone 150–250 ms of main-thread work (Lighthouse, 4× CPU throttling) for nothing
// the person can see, and it is the only thing keeping those screens from a Lighthouse 100.
//
// So the production server (scripts/start.mjs) serves those screens as plain HTML: it removes
// Next's client runtime (its script tags, preloads and the RSC payload) from their HTML responses
// and adds one inline script, the built client/html-only.ts (public/assets/html-only.js, made by
// scripts/build-assets.mjs), for what React did there, from the very modules the React screens
// use: the "Verifying…" state, the language menu that applies at once, the resend countdown, the
// session-timeout warning and the passkey button. Everything else (setup screens, the magic-link wait,
// recovery codes, management) keeps React. Navigations from a React screen to one of these by the client router fetch RSC, not
// HTML, and are left alone: React renders those screens as before.
//
// Decision record: Next's App Router has no per-page "no runtime JS" switch (the Pages Router's
// `unstable_runtimeJS` has no App Router equivalent), so this is done at the one place we own
// between Next and the socket. The transform is deliberately narrow: it removes only script
// tags whose source is under /_next/, the payload scripts that only feed them (`self.__next_f`,
// Turbopack's chunk list) and script preloads;
// React's own inline streaming scripts ($RC…) and our nonce'd probe stay.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

/** The screens served without the client runtime (paths, exact). Their setup screens keep React. */
export const HTML_ONLY_PATHS = new Set(["/otp", "/email", "/phone", "/recovery-code", "/choose", "/webauthn-platform", "/webauthn-roaming"]);

const ASSET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../public/assets/html-only.js");

/** The inline script of every HTML-only screen (the built client/html-only.ts), read once at boot. */
export function loadScript(file = ASSET) {
  if (!fs.existsSync(file)) throw new Error(`${path.relative(process.cwd(), file)} is missing: run \`npm run build\` (or \`npm run build:assets\`)`);
  return fs.readFileSync(file, "utf8").trim();
}

/**
 * Whether a request may get an HTML-only answer: a document request (GET, or the POST of a form
 * without JavaScript) for one of the screens. Requests from the client router or from a
 * JavaScript server-action call ask for RSC and are never touched.
 */
export function isHtmlOnlyRequest(req) {
  if (req.method !== "GET" && req.method !== "POST") return false;
  const h = req.headers;
  if (h["rsc"] || h["next-action"] || h["next-router-state-tree"] || h["next-router-prefetch"]) return false;
  return HTML_ONLY_PATHS.has(pathOf(req));
}

const pathOf = (req) => (req.url ?? "/").split("?")[0];

const NEXT_SCRIPT = /<script\b[^>]*\bsrc="\/_next\/[^"]*"[^>]*>\s*<\/script>/g;
/** Inline scripts that only feed the runtime: the RSC payload (`self.__next_f`), Turbopack's chunk list. */
const NEXT_PAYLOAD = /<script\b[^>]*>\s*\(?(?:self\.__next_[a-z]\b|globalThis\["TURBOPACK"\]|globalThis\.TURBOPACK\b)[\s\S]*?<\/script>/g;
const SCRIPT_PRELOAD = /<link\b(?=[^>]*\brel="(?:preload|modulepreload)")(?=[^>]*\bhref="\/_next\/[^"]*\.js")[^>]*>/g;

/** The nonce of the response's CSP (`script-src … 'nonce-…'`), or undefined. */
export function cspNonce(csp) {
  const m = /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(String(csp ?? ""));
  return m ? m[1] : undefined;
}

/**
 * The page without Next's client runtime, with the enhancement script before `</body>`. A page
 * without `</body>` (never produced by Next) is returned unchanged rather than half-rewritten.
 */
export function stripClientRuntime(html, { nonce, enhance }) {
  const end = html.lastIndexOf("</body>");
  if (end === -1) return html;
  const tag = `<script${nonce ? ` nonce="${nonce}"` : ""}>${enhance}</script>`;
  const body = html.slice(0, end) + tag + html.slice(end);
  return body.replace(NEXT_SCRIPT, "").replace(NEXT_PAYLOAD, "").replace(SCRIPT_PRELOAD, "");
}

/** The best encoding this client accepts that we produce: br, gzip, or none. */
export function pickEncoding(acceptEncoding) {
  const accepted = String(acceptEncoding ?? "")
    .split(",")
    .map((p) => p.trim().split(";"))
    .filter(([, q]) => !q || Number(q.trim().replace(/^q=/, "")) > 0)
    .map(([name]) => name.trim().toLowerCase());
  if (accepted.includes("br")) return "br";
  if (accepted.includes("gzip")) return "gzip";
  return undefined;
}

function encode(body, encoding) {
  if (encoding === "br") return zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  if (encoding === "gzip") return zlib.gzipSync(body, { level: 6 });
  return body;
}

/**
 * Wraps a Node request handler (Next's). For HTML-only requests it takes compression over (Next
 * would otherwise hand us gzip), collects the response, rewrites it when it is HTML, and sends
 * it compressed with its real length. Everything else goes straight through.
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => unknown} handler
 * @param {string} [enhance] the inline script
 */
export function withHtmlOnly(handler, enhance = loadScript()) {
  return (req, res) => {
    if (!isHtmlOnlyRequest(req)) return handler(req, res);
    const encoding = pickEncoding(req.headers["accept-encoding"]);
    delete req.headers["accept-encoding"];
    const real = { writeHead: res.writeHead, write: res.write, end: res.end, flushHeaders: res.flushHeaders };
    const chunks = [];
    const collect = (chunk, enc) => {
      if (chunk != null && chunk.length !== 0) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof enc === "string" ? enc : "utf8"));
    };
    res.writeHead = function (status, reason, headers) {
      res.statusCode = status;
      const h = typeof reason === "string" ? headers : reason;
      if (typeof reason === "string") res.statusMessage = reason;
      if (Array.isArray(h)) for (let i = 0; i < h.length; i += 2) res.setHeader(h[i], h[i + 1]);
      else if (h) for (const [k, v] of Object.entries(h)) if (v !== undefined) res.setHeader(k, v);
      return res;
    };
    res.flushHeaders = () => {};
    res.write = function (chunk, enc, cb) {
      collect(chunk, enc);
      if (typeof enc === "function") enc();
      else if (typeof cb === "function") cb();
      return true;
    };
    res.end = function (chunk, enc, cb) {
      if (typeof chunk === "function") [cb, chunk] = [chunk, undefined];
      if (typeof enc === "function") [cb, enc] = [enc, undefined];
      collect(chunk, enc);
      Object.assign(res, real);
      let body = Buffer.concat(chunks);
      const type = String(res.getHeader("content-type") ?? "");
      if (type.startsWith("text/html") && req.method !== "HEAD") {
        body = Buffer.from(stripClientRuntime(body.toString("utf8"), { nonce: cspNonce(res.getHeader("content-security-policy")), enhance }));
        res.removeHeader("etag");
        res.setHeader("x-keystep-html-only", "1");
      }
      if (encoding && body.length > 1024 && !res.getHeader("content-encoding")) {
        body = encode(body, encoding);
        res.setHeader("content-encoding", encoding);
      }
      res.setHeader("vary", mergeVary(res.getHeader("vary"), "Accept-Encoding"));
      res.removeHeader("transfer-encoding");
      res.setHeader("content-length", body.length);
      return res.end(body, cb);
    };
    return handler(req, res);
  };
}

function mergeVary(current, add) {
  const parts = String(current ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.some((p) => p.toLowerCase() === add.toLowerCase())) parts.push(add);
  return parts.join(", ");
}
